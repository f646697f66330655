"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = _default;
var _debug = _interopRequireDefault(require("debug"));
var _lodash = _interopRequireDefault(require("lodash"));
var _core = require("@verdaccio/core");
var _middleware = require("@verdaccio/middleware");
var _constants = require("../../../lib/constants");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
const debug = (0, _debug.default)('verdaccio:api:stars');
function _default(route, storage) {
  route.get(_middleware.STARS_API_ENDPOINTS.get_user_starred_packages, (req, res, next) => {
    const query = req.query;
    if (typeof query?.key === 'undefined' || typeof query?.key !== 'string') {
      debug('missing query key username');
      return next(_core.errorUtils.getBadRequest('missing query key username'));
    }
    const key = query.key;
    debug(`get user starred packages for user: ${key}`);
    storage.getLocalDatabase((err, localPackages) => {
      if (err) {
        debug(`error getting local database: ${err.message}`);
        return next(err);
      }
      const filteredPackages = localPackages.filter(localPackage => {
        debug(`checking package: ${localPackage?.name}`);
        return _lodash.default.keys(localPackage[_constants.USERS]).includes(key.toString().replace(/['"]+/g, ''));
      });
      debug(`found ${filteredPackages.length} packages for user: ${key}`);
      res.status(_constants.HTTP_STATUS.OK);
      next({
        rows: filteredPackages.map(filteredPackage => ({
          value: filteredPackage.name
        }))
      });
    });
  });
}
