"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.displayExperimentsInfoBox = displayExperimentsInfoBox;
var _logger = require("@verdaccio/logger");
function displayExperimentsInfoBox(flags) {
  if (!flags) {
    return {
      searchRemote: false
    };
  }
  const experimentList = Object.keys(flags);
  if (experimentList.length >= 1) {
    _logger.logger.warn(`experiments are enabled, it is recommended do not use experiments in production comment out this section to disable it`);
    experimentList.forEach(experiment => {
      _logger.logger.info(`support for experiment [${experiment}] ${flags[experiment] ? 'is enabled' : ' is disabled'}`);
    });
  }
  return {
    ...flags,
    searchRemote: false
  };
}
