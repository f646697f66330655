"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.getSecurity = getSecurity;
var _lodash = _interopRequireDefault(require("lodash"));
var _config = require("@verdaccio/config");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
function getSecurity(config) {
  if (_lodash.default.isNil(config.security) === false) {
    return _lodash.default.merge({}, _config.defaultSecurity, config.security);
  }
  return _lodash.default.merge({}, _config.defaultSecurity);
}
