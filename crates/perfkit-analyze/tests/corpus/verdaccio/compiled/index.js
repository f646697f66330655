"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
Object.defineProperty(exports, "Config", {
  enumerable: true,
  get: function () {
    return _config.Config;
  }
});
Object.defineProperty(exports, "ConfigBuilder", {
  enumerable: true,
  get: function () {
    return _config.ConfigBuilder;
  }
});
Object.defineProperty(exports, "cryptoUtils", {
  enumerable: true,
  get: function () {
    return _core.cryptoUtils;
  }
});
Object.defineProperty(exports, "default", {
  enumerable: true,
  get: function () {
    return _bootstrap.startVerdaccio;
  }
});
Object.defineProperty(exports, "errorUtils", {
  enumerable: true,
  get: function () {
    return _core.errorUtils;
  }
});
Object.defineProperty(exports, "fileUtils", {
  enumerable: true,
  get: function () {
    return _core.fileUtils;
  }
});
Object.defineProperty(exports, "getDefaultConfig", {
  enumerable: true,
  get: function () {
    return _config.getDefaultConfig;
  }
});
Object.defineProperty(exports, "parseConfigFile", {
  enumerable: true,
  get: function () {
    return _config.parseConfigFile;
  }
});
Object.defineProperty(exports, "pkgUtils", {
  enumerable: true,
  get: function () {
    return _core.pkgUtils;
  }
});
Object.defineProperty(exports, "runServer", {
  enumerable: true,
  get: function () {
    return _runServer.runServer;
  }
});
Object.defineProperty(exports, "startVerdaccio", {
  enumerable: true,
  get: function () {
    return _bootstrap.startVerdaccio;
  }
});
var _bootstrap = require("./lib/bootstrap");
var _runServer = require("./lib/run-server");
var _config = require("@verdaccio/config");
var _core = require("@verdaccio/core");
