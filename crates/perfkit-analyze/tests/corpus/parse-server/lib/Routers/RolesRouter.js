"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = exports.RolesRouter = void 0;
var _ClassesRouter = _interopRequireDefault(require("./ClassesRouter"));
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
class RolesRouter extends _ClassesRouter.default {
  className() {
    return '_Role';
  }
  mountRoutes() {
    this.route('GET', '/roles', req => {
      return this.handleFind(req);
    });
    this.route('GET', '/roles/:objectId', req => {
      return this.handleGet(req);
    });
    this.route('POST', '/roles', req => {
      return this.handleCreate(req);
    });
    this.route('PUT', '/roles/:objectId', req => {
      return this.handleUpdate(req);
    });
    this.route('DELETE', '/roles/:objectId', req => {
      return this.handleDelete(req);
    });
  }
}
exports.RolesRouter = RolesRouter;
var _default = exports.default = RolesRouter;
