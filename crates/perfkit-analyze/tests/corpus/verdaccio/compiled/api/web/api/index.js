"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = void 0;
var _express = require("express");
var _middleware = require("@verdaccio/middleware");
var _utils = require("../../../lib/utils");
var _package = _interopRequireDefault(require("./package"));
var _search = _interopRequireDefault(require("./search"));
var _user = _interopRequireDefault(require("./user"));
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
var _default = (auth, storage, config) => {
  const router = (0, _express.Router)();
  router.use((0, _middleware.rateLimit)({
    windowMs: 2 * 60 * 1000,
    // 2  minutes
    max: 5000,
    // limit each IP to 1000 requests per windowMs
    ...config?.web?.rateLimit
  }));
  router.use((0, _package.default)(storage, auth, config));
  router.use((0, _search.default)(storage, auth));
  if ((0, _utils.hasLogin)(config)) {
    router.use((0, _user.default)(auth, config));
  }
  return router;
};
exports.default = _default;
