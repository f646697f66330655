"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = _default;
var _express = _interopRequireDefault(require("express"));
var _middleware = require("@verdaccio/middleware");
var _logger = require("../../lib/logger");
var _distTags = _interopRequireDefault(require("./api/dist-tags"));
var _package = _interopRequireDefault(require("./api/package"));
var _ping = _interopRequireDefault(require("./api/ping"));
var _publish = _interopRequireDefault(require("./api/publish"));
var _search = _interopRequireDefault(require("./api/search"));
var _stars = _interopRequireDefault(require("./api/stars"));
var _user = _interopRequireDefault(require("./api/user"));
var _profile = _interopRequireDefault(require("./api/v1/profile"));
var _search2 = _interopRequireDefault(require("./api/v1/search"));
var _token = _interopRequireDefault(require("./api/v1/token"));
var _whoami = _interopRequireDefault(require("./api/whoami"));
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
function _default(config, auth, storage) {
  const app = _express.default.Router();

  // validate all of these params as a package name
  // this might be too harsh, so ask if it causes trouble
  app.param('package', _middleware.validatePackage);
  app.param('filename', _middleware.validateName);
  app.param('tag', _middleware.validateName);
  app.param('version', _middleware.validateName);
  app.param('revision', _middleware.validateName);
  app.param('token', _middleware.validateName);

  // these can't be safely put into express url for some reason
  // TODO: For some reason? what reason?
  app.param('_rev', (0, _middleware.match)(/^-rev$/));
  app.param('org_couchdb_user', (0, _middleware.match)(/^org\.couchdb\.user:/));

  // Avoid executing JWT twice when the parent app already registered the JWT middleware
  const apiJwtMiddleware = auth.apiJWTmiddleware();
  app.use((req, res, next) => {
    const remoteUser = req.remote_user ?? res.locals.remote_user;
    if (remoteUser) {
      return next();
    }
    return apiJwtMiddleware(req, res, next);
  });
  app.use((0, _middleware.enforceGeneratedTokenMetadata)(storage, _logger.logger));
  app.use(_express.default.json({
    strict: false,
    limit: config.max_body_size || '10mb'
  }));
  app.use((0, _middleware.antiLoop)(config));
  // encode / in a scoped package name to be matched as a single parameter in routes
  app.use(_middleware.encodeScopePackage);
  (0, _whoami.default)(app);
  (0, _profile.default)(app, auth, config);
  (0, _search.default)(app, auth, storage);
  (0, _user.default)(app, auth, config);
  (0, _distTags.default)(app, auth, storage);
  (0, _publish.default)(app, auth, storage, config);
  (0, _ping.default)(app);
  (0, _stars.default)(app, storage);
  (0, _search2.default)(app, auth, storage, config);
  (0, _token.default)(app, auth, storage, config);
  (0, _package.default)(app, auth, storage, config);
  return app;
}
