"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = _default;
var _middleware = require("@verdaccio/middleware");
function _default(route) {
  route.get(_middleware.USER_API_ENDPOINTS.whoami, (req, res, next) => {
    next({
      username: req.remote_user.name
    });
  });
}
