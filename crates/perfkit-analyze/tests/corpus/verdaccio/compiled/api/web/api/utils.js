"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.wrapPath = wrapPath;
exports.wrapSecPath = wrapSecPath;
function wrapPath(urlPath) {
  return `/-/verdaccio/data${urlPath}`;
}
function wrapSecPath(urlPath) {
  return `/-/verdaccio/sec${urlPath}`;
}
