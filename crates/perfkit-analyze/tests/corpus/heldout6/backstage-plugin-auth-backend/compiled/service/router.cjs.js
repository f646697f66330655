'use strict';

var express = require('express');
var Router = require('express-promise-router');
var cookieParser = require('cookie-parser');
var errors = require('@backstage/errors');
var catalogModel = require('@backstage/catalog-model');
var KeyStores = require('../identity/KeyStores.cjs.js');
var TokenFactory = require('../identity/TokenFactory.cjs.js');
var UserInfoDatabase = require('../database/UserInfoDatabase.cjs.js');
var session = require('express-session');
var connectSessionKnex = require('connect-session-knex');
var passport = require('passport');
var AuthDatabase = require('../database/AuthDatabase.cjs.js');
var readTokenExpiration = require('./readTokenExpiration.cjs.js');
var StaticTokenIssuer = require('../identity/StaticTokenIssuer.cjs.js');
var StaticKeyStore = require('../identity/StaticKeyStore.cjs.js');
var router = require('../providers/router.cjs.js');
var OidcRouter = require('./OidcRouter.cjs.js');
var OidcDatabase = require('../database/OidcDatabase.cjs.js');
var v4 = require('zod/v4');
var v4$1 = require('zod-validation-error/v4');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var express__default = /*#__PURE__*/_interopDefaultCompat(express);
var Router__default = /*#__PURE__*/_interopDefaultCompat(Router);
var cookieParser__default = /*#__PURE__*/_interopDefaultCompat(cookieParser);
var session__default = /*#__PURE__*/_interopDefaultCompat(session);
var connectSessionKnex__default = /*#__PURE__*/_interopDefaultCompat(connectSessionKnex);
var passport__default = /*#__PURE__*/_interopDefaultCompat(passport);

const revokeOfflineSessionsRequestSchema = v4.z.object({
  userEntityRef: v4.z.string().min(1).transform((ref, ctx) => {
    try {
      const entityRef = catalogModel.parseEntityRef(ref, { defaultKind: "user" });
      if (entityRef.kind.toLowerCase() === "user") {
        return catalogModel.stringifyEntityRef(entityRef);
      }
      ctx.addIssue({
        code: "custom",
        message: "Must refer to a user entity"
      });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: String(error) });
    }
    return v4.z.NEVER;
  })
});
async function createRouter(options) {
  const {
    logger,
    config,
    discovery,
    database: db,
    tokenFactoryAlgorithm,
    providerFactories = {},
    httpAuth,
    auditor,
    offlineAccess
  } = options;
  const router$1 = Router__default.default();
  const appUrl = config.getString("app.baseUrl");
  const authUrl = await discovery.getExternalBaseUrl("auth");
  const backstageTokenExpiration = readTokenExpiration.readBackstageTokenExpiration(config);
  const database = AuthDatabase.AuthDatabase.create(db);
  const keyStore = await KeyStores.KeyStores.fromConfig(config, {
    logger,
    database
  });
  const userInfo = await UserInfoDatabase.UserInfoDatabase.create({
    database
  });
  const omitClaimsFromToken = config.getOptionalBoolean("auth.omitIdentityTokenOwnershipClaim") ?? true ? ["ent"] : [];
  let tokenIssuer;
  if (keyStore instanceof StaticKeyStore.StaticKeyStore) {
    tokenIssuer = new StaticTokenIssuer.StaticTokenIssuer(
      {
        logger: logger.child({ component: "token-factory" }),
        issuer: authUrl,
        sessionExpirationSeconds: backstageTokenExpiration,
        omitClaimsFromToken
      },
      keyStore
    );
  } else {
    tokenIssuer = new TokenFactory.TokenFactory({
      issuer: authUrl,
      keyStore,
      keyDurationSeconds: backstageTokenExpiration,
      logger: logger.child({ component: "token-factory" }),
      algorithm: tokenFactoryAlgorithm ?? config.getOptionalString("auth.identityTokenAlgorithm"),
      omitClaimsFromToken
    });
  }
  const secret = config.getOptionalString("auth.session.secret");
  if (secret) {
    router$1.use(cookieParser__default.default(secret));
    const enforceCookieSSL = authUrl.startsWith("https");
    const KnexSessionStore = connectSessionKnex__default.default(session__default.default);
    router$1.use(
      session__default.default({
        secret,
        saveUninitialized: false,
        resave: false,
        cookie: { secure: enforceCookieSSL ? "auto" : false },
        store: new KnexSessionStore({
          createtable: false,
          knex: await database.get()
        })
      })
    );
    router$1.use(passport__default.default.initialize());
    router$1.use(passport__default.default.session());
  } else {
    router$1.use(cookieParser__default.default());
  }
  router$1.use(express__default.default.urlencoded({ extended: false }));
  router$1.use(express__default.default.json());
  router.bindProviderRouters(router$1, {
    providers: providerFactories,
    appUrl,
    baseUrl: authUrl,
    tokenIssuer,
    ...options,
    auth: options.auth,
    userInfo
  });
  const oidc = await OidcDatabase.OidcDatabase.create({ database });
  const oidcRouter = OidcRouter.OidcRouter.create({
    auth: options.auth,
    tokenIssuer,
    baseUrl: authUrl,
    appUrl,
    userInfo,
    oidc,
    logger,
    httpAuth,
    config,
    offlineAccess: options.offlineAccess
  });
  router$1.use(oidcRouter.getRouter());
  if (offlineAccess) {
    router$1.post("/v1/offline-sessions/revoke", async (req, res) => {
      await httpAuth.credentials(req, { allow: ["service"] });
      const parseResult = revokeOfflineSessionsRequestSchema.safeParse(
        req.body ?? {}
      );
      if (!parseResult.success) {
        throw new errors.InputError(v4$1.fromZodError(parseResult.error).message);
      }
      const { userEntityRef } = parseResult.data;
      const auditorEvent = await auditor?.createEvent({
        eventId: "offline-sessions-revoke",
        severityLevel: "high",
        request: req,
        meta: { userEntityRef }
      });
      try {
        const revokedCount = await offlineAccess.revokeRefreshTokensByUserEntityRef(userEntityRef);
        await auditorEvent?.success({ meta: { revokedCount } });
        res.json({ revokedCount });
      } catch (error) {
        await auditorEvent?.fail({ error });
        throw error;
      }
    });
  }
  router$1.use("/:provider/", (req) => {
    const { provider } = req.params;
    throw new errors.NotFoundError(`Unknown auth provider '${provider}'`);
  });
  return router$1;
}

exports.createRouter = createRouter;
