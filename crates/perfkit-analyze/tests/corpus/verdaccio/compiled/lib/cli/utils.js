"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.RECOMMENDED_NODE_VERSION = exports.MIN_NODE_VERSION = void 0;
exports.isVersionRecommended = isVersionRecommended;
exports.isVersionValid = isVersionValid;
var _semver = _interopRequireDefault(require("semver"));
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
const MIN_NODE_VERSION = exports.MIN_NODE_VERSION = '18';
const RECOMMENDED_NODE_VERSION = exports.RECOMMENDED_NODE_VERSION = '22';
function isVersionValid(version) {
  return _semver.default.satisfies(version, `>=${MIN_NODE_VERSION}`);
}
function isVersionRecommended(version) {
  return _semver.default.satisfies(version, `>=${RECOMMENDED_NODE_VERSION}`);
}
