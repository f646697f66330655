"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = _default;
var _middleware = require("@verdaccio/middleware");
function _default(route) {
  route.get(_middleware.PING_API_ENDPOINTS.ping, function (req, res, next) {
    next({});
  });
}
