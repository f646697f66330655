"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = void 0;
var _express = require("express");
var _lodash = _interopRequireDefault(require("lodash"));
var _core = require("@verdaccio/core");
var _middleware = require("@verdaccio/middleware");
var _authUtils = require("../../../lib/auth-utils");
var _constants = require("../../../lib/constants");
var _utils = require("../../../lib/utils");
var _utils2 = require("./utils");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
function addUserAuthApi(auth, config) {
  const route = (0, _express.Router)();
  route.post((0, _utils2.wrapSecPath)(_middleware.WebUrls.user_login), (0, _middleware.rateLimit)(config?.userRateLimit), function (req, res, next) {
    const {
      username,
      password
    } = req.body;
    auth.authenticate(username, password, async (err, user) => {
      if (err) {
        const errorCode = err.message ? _constants.HTTP_STATUS.UNAUTHORIZED : _constants.HTTP_STATUS.INTERNAL_ERROR;
        if (errorCode === _constants.HTTP_STATUS.UNAUTHORIZED) {
          res.set(_constants.HEADERS.WWW_AUTH, _constants.TOKEN_BEARER);
        }
        return next(_utils.ErrorCode.getCode(errorCode, err.message));
      } else {
        req.remote_user = user;
        const jWTSignOptions = (0, _authUtils.getSecurity)(config).web.sign;
        res.set(_constants.HEADERS.CACHE_CONTROL, 'no-cache, no-store');
        return next({
          token: await auth.jwtEncrypt(user, jWTSignOptions),
          username: req.remote_user.name
        });
      }
    });
  });
  if (config?.flags?.changePassword === true) {
    route.put((0, _utils2.wrapSecPath)(_middleware.WebUrls.reset_password), function (req, res, next) {
      if (_lodash.default.isNil(req.remote_user.name)) {
        res.status(_constants.HTTP_STATUS.UNAUTHORIZED);
        return next({
          // FUTURE: update to a more meaningful message
          message: _constants.API_ERROR.MUST_BE_LOGGED
        });
      }
      const {
        password
      } = req.body;
      const {
        name
      } = req.remote_user;
      if (_core.validationUtils.validatePassword(password.new) === false) {
        return next(_utils.ErrorCode.getCode(_constants.HTTP_STATUS.BAD_REQUEST, _constants.APP_ERROR.PASSWORD_VALIDATION));
      }
      auth.changePassword(name, password.old, password.new, (err, isUpdated) => {
        if (_lodash.default.isNil(err) && isUpdated) {
          next({
            ok: true
          });
        } else if (!_lodash.default.isNil(err)) {
          return next(_utils.ErrorCode.getCode(_lodash.default.isNil(err.status) ? _constants.HTTP_STATUS.CONFLICT : err.status, err.message));
        } else {
          return next(_utils.ErrorCode.getInternalError(_constants.API_ERROR.INTERNAL_SERVER_ERROR));
        }
      });
    });
  }
  return route;
}
var _default = exports.default = addUserAuthApi;
