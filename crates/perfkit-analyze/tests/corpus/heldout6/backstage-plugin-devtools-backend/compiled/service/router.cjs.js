'use strict';

var pluginPermissionCommon = require('@backstage/plugin-permission-common');
var pluginDevtoolsCommon = require('@backstage/plugin-devtools-common');
var DevToolsBackendApi = require('../api/DevToolsBackendApi.cjs.js');
var errors = require('@backstage/errors');
var Router = require('express-promise-router');
var express = require('express');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var Router__default = /*#__PURE__*/_interopDefaultCompat(Router);
var express__default = /*#__PURE__*/_interopDefaultCompat(express);

async function createRouter(options) {
  const { logger, config, permissions, httpAuth } = options;
  const devToolsBackendApi = options.devToolsBackendApi || new DevToolsBackendApi.DevToolsBackendApi(logger, config);
  const router = Router__default.default();
  router.use(express__default.default.json());
  router.get("/health", (_req, res) => {
    res.status(200).json({ status: "ok" });
  });
  router.get("/info", async (req, response) => {
    const decision = (await permissions.authorize(
      [{ permission: pluginDevtoolsCommon.devToolsInfoReadPermission }],
      { credentials: await httpAuth.credentials(req) }
    ))[0];
    if (decision.result === pluginPermissionCommon.AuthorizeResult.DENY) {
      throw new errors.NotAllowedError("Unauthorized");
    }
    const info = await devToolsBackendApi.listInfo();
    response.status(200).json(info);
  });
  router.get("/config", async (req, response) => {
    const decision = (await permissions.authorize(
      [{ permission: pluginDevtoolsCommon.devToolsConfigReadPermission }],
      { credentials: await httpAuth.credentials(req) }
    ))[0];
    if (decision.result === pluginPermissionCommon.AuthorizeResult.DENY) {
      throw new errors.NotAllowedError("Unauthorized");
    }
    const configList = await devToolsBackendApi.listConfig();
    response.status(200).json(configList);
  });
  router.get("/external-dependencies", async (req, response) => {
    const decision = (await permissions.authorize(
      [{ permission: pluginDevtoolsCommon.devToolsExternalDependenciesReadPermission }],
      { credentials: await httpAuth.credentials(req) }
    ))[0];
    if (decision.result === pluginPermissionCommon.AuthorizeResult.DENY) {
      throw new errors.NotAllowedError("Unauthorized");
    }
    const health = await devToolsBackendApi.listExternalDependencyDetails();
    response.status(200).json(health);
  });
  return router;
}

exports.createRouter = createRouter;
