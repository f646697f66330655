"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = void 0;
var _express = require("express");
var _middleware = require("@verdaccio/middleware");
var _searchIndexer = require("@verdaccio/search-indexer");
var _constants = require("../../../lib/constants");
var _utils = require("./utils");
function addSearchWebApi(storage, auth) {
  const route = (0, _express.Router)();
  // Search package
  route.get((0, _utils.wrapPath)(_middleware.WebUrls.search), async function (req, _res, next) {
    const term = req.params.anything;
    const indexer = await _searchIndexer.SearchMemoryIndexer.query(term);
    const packages = [];
    const results = indexer.hits;
    const getPackageInfo = function (i) {
      storage.getPackage({
        name: results[i].id,
        uplinksLook: false,
        callback: (err, entry) => {
          if (!err && entry) {
            auth.allow_access({
              packageName: entry.name
            }, req.remote_user, function (err, allowed) {
              if (err || !allowed) {
                return;
              }
              packages.push(entry.versions[entry[_constants.DIST_TAGS].latest]);
            });
          }
          if (i >= results.length - 1) {
            next(packages);
          } else {
            getPackageInfo(i + 1);
          }
        }
      });
    };
    if (results.length) {
      getPackageInfo(0);
    } else {
      next([]);
    }
  });
  return route;
}
var _default = exports.default = addSearchWebApi;
