"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = void 0;
var _config = require("@verdaccio/config");
var _utils = require("@verdaccio/utils");
class Config extends _config.Config {
  constructor(config) {
    config.configPath = config.self_path;
    super(config, {
      forceMigrateToSecureLegacySignature: false
    });
    // Temporary solution for plugins that depends on legacy configuration files
    this.getMatchedPackagesSpec = pkgName => {
      return (0, _utils.getMatchedPackagesSpec)(pkgName, this.packages);
    };
  }
}
var _default = exports.default = Config;
