'use strict';

var backendPluginApi = require('@backstage/backend-plugin-api');
var helmet = require('helmet');
var express = require('express');
var Router = require('express-promise-router');
var fs = require('fs-extra');
var node_path = require('node:path');
var StaticAssetsStore = require('../lib/assets/StaticAssetsStore.cjs.js');
var findStaticAssets = require('../lib/assets/findStaticAssets.cjs.js');
var createStaticAssetMiddleware = require('../lib/assets/createStaticAssetMiddleware.cjs.js');
var headers = require('../lib/headers.cjs.js');
var errors = require('@backstage/errors');
var injectConfig = require('../lib/config/injectConfig.cjs.js');
var readFrontendConfig = require('../lib/config/readFrontendConfig.cjs.js');
var filterPublicConfig = require('../lib/config/filterPublicConfig.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var helmet__default = /*#__PURE__*/_interopDefaultCompat(helmet);
var express__default = /*#__PURE__*/_interopDefaultCompat(express);
var Router__default = /*#__PURE__*/_interopDefaultCompat(Router);
var fs__default = /*#__PURE__*/_interopDefaultCompat(fs);

async function createRouter(options) {
  const {
    config,
    logger,
    appPackageName,
    staticFallbackHandler,
    auth,
    httpAuth,
    schema
  } = options;
  const disableConfigInjection = config.getOptionalBoolean(
    "app.disableConfigInjection"
  );
  const disableStaticFallbackCache = config.getOptionalBoolean(
    "app.disableStaticFallbackCache"
  );
  const appDistDir = backendPluginApi.resolvePackagePath(appPackageName, "dist");
  const staticDir = node_path.resolve(appDistDir, "static");
  if (!await fs__default.default.pathExists(staticDir)) {
    if (process.env.NODE_ENV === "production") {
      logger.error(
        `Can't serve static app content from ${staticDir}, directory doesn't exist`
      );
    }
    return Router__default.default();
  }
  logger.info(`Serving static app content from ${appDistDir}`);
  const appConfigs = disableConfigInjection ? void 0 : await readFrontendConfig.readFrontendConfig({
    config,
    appDistDir,
    env: process.env,
    schema
  });
  const assetStore = !disableStaticFallbackCache ? await StaticAssetsStore.StaticAssetsStore.create({
    logger,
    database: options.database
  }) : void 0;
  const router = Router__default.default();
  router.use(helmet__default.default.frameguard({ action: "deny" }));
  const publicDistDir = node_path.resolve(appDistDir, "public");
  const disablePublicEntryPoint = config.getOptionalBoolean(
    "app.disablePublicEntryPoint"
  );
  const enablePublicEntryPoint = !disablePublicEntryPoint && await fs__default.default.pathExists(publicDistDir);
  if (enablePublicEntryPoint) {
    logger.info(
      `App is running in protected mode, serving public content from ${publicDistDir}`
    );
    const publicRouter = Router__default.default();
    const getRequestCredentials = async (req, res) => {
      try {
        return await httpAuth.credentials(req, {
          allow: ["user", "service", "none"],
          allowLimitedAccess: true
        });
      } catch {
        const credentials = await auth.getNoneCredentials();
        await httpAuth.issueUserCookie(res, {
          credentials
        });
        return credentials;
      }
    };
    publicRouter.post(
      "*",
      express__default.default.urlencoded({ extended: true }),
      async (req, res, next) => {
        if (req.body.type === "sign-in") {
          const existingCredentials = await getRequestCredentials(req, res);
          if (auth.isPrincipal(existingCredentials, "service")) {
            next("router");
            return;
          }
          const credentials = await auth.authenticate(req.body.token);
          if (!auth.isPrincipal(credentials, "user")) {
            throw new errors.AuthenticationError("Invalid token, not a user");
          }
          if (auth.isPrincipal(existingCredentials, "user") && existingCredentials.principal.userEntityRef !== credentials.principal.userEntityRef) {
            throw new errors.AuthenticationError(
              "Refused to replace an existing authenticated session"
            );
          }
          await httpAuth.issueUserCookie(res, {
            credentials
          });
          req.method = "GET";
          next("router");
        } else {
          throw new errors.InputError(
            "Invalid POST request to app-backend wildcard endpoint"
          );
        }
      }
    );
    publicRouter.use(async (req, res, next) => {
      const credentials = await getRequestCredentials(req, res);
      if (credentials.principal.type === "none") {
        next();
      } else {
        next("router");
      }
    });
    publicRouter.use(
      await createEntryPointRouter({
        logger: logger.child({ entry: "public" }),
        rootDir: publicDistDir,
        assetStore: assetStore?.withNamespace("public"),
        appConfigs,
        configFilter: (configs) => filterPublicConfig.filterPublicConfig(configs, config)
      })
    );
    router.use(publicRouter);
  }
  router.use(
    await createEntryPointRouter({
      logger: logger.child({ entry: "main" }),
      rootDir: appDistDir,
      assetStore,
      staticFallbackHandler,
      appConfigs
    })
  );
  return router;
}
async function createEntryPointRouter({
  logger,
  rootDir,
  assetStore,
  staticFallbackHandler,
  appConfigs,
  configFilter
}) {
  const staticDir = node_path.resolve(rootDir, "static");
  const injectResult = appConfigs && await injectConfig.injectConfig({
    appConfigs,
    logger,
    rootDir,
    staticDir,
    configFilter
  });
  const router = Router__default.default();
  const staticRouter = Router__default.default();
  staticRouter.use(
    express__default.default.static(staticDir, {
      setHeaders: (res, path) => {
        if (injectResult?.injectedPath === path) {
          res.setHeader("Cache-Control", headers.CACHE_CONTROL_REVALIDATE_CACHE);
        } else {
          res.setHeader("Cache-Control", headers.CACHE_CONTROL_MAX_CACHE);
        }
      }
    })
  );
  if (assetStore) {
    const assets = await findStaticAssets.findStaticAssets(staticDir);
    await assetStore.storeAssets(assets);
    await assetStore.trimAssets({ maxAgeSeconds: 60 * 60 * 24 * 7 });
    staticRouter.use(createStaticAssetMiddleware.createStaticAssetMiddleware(assetStore));
  }
  if (staticFallbackHandler) {
    staticRouter.use(staticFallbackHandler);
  }
  staticRouter.use((_req, res) => {
    res.status(404).end();
  });
  router.use("/static", staticRouter);
  const rootRouter = Router__default.default();
  rootRouter.use(async (req, _res, next) => {
    let isIndex = req.path === "/" || req.path === "/index.html";
    if (injectResult?.indexHtmlContent && !isIndex) {
      try {
        const path = backendPluginApi.resolveSafeChildPath(
          rootDir,
          `.${decodeURIComponent(req.path).replaceAll("\\", "/")}`
        );
        const [file, index] = await Promise.all([
          fs__default.default.stat(path),
          fs__default.default.stat(node_path.resolve(rootDir, "index.html"))
        ]);
        const candidate = file.isDirectory() ? await fs__default.default.stat(node_path.resolve(path, "index.html")) : file;
        isIndex = candidate.dev === index.dev && candidate.ino === index.ino;
      } catch {
      }
    }
    if (isIndex) {
      next("router");
    } else {
      next();
    }
  });
  rootRouter.use(
    express__default.default.static(rootDir, {
      setHeaders: (res, path) => {
        if (express__default.default.static.mime.lookup(path) === "text/html") {
          res.setHeader("Cache-Control", headers.CACHE_CONTROL_NO_CACHE);
        }
      }
    })
  );
  router.use(rootRouter);
  router.get("/*", (_req, res) => {
    if (injectResult?.indexHtmlContent) {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.setHeader("Cache-Control", headers.CACHE_CONTROL_NO_CACHE);
      res.send(injectResult.indexHtmlContent);
    } else {
      res.sendFile(node_path.resolve(rootDir, "index.html"), {
        headers: {
          // The Cache-Control header instructs the browser to not cache the index.html since it might
          // link to static assets from recently deployed versions.
          "cache-control": headers.CACHE_CONTROL_NO_CACHE
        }
      });
    }
  });
  return router;
}

exports.createRouter = createRouter;
