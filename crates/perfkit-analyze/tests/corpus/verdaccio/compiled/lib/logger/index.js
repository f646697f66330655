"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.logger = void 0;
exports.setup = setup;
var _debug = _interopRequireDefault(require("debug"));
var _logger = require("@verdaccio/logger");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
let logger = exports.logger = void 0;
const debug = (0, _debug.default)('verdaccio:logger');
function setup(options) {
  debug('setup logger with options %o', options);
  if (!logger) {
    debug('logger not initialized, setting up');
    exports.logger = logger = (0, _logger.setup)(options);
    debug('logger initialized');
  }
}
