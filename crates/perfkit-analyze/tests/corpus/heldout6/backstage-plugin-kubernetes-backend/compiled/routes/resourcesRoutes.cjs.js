'use strict';

var catalogModel = require('@backstage/catalog-model');
var errors = require('@backstage/errors');
var requirePermission = require('../auth/requirePermission.cjs.js');
var pluginKubernetesCommon = require('@backstage/plugin-kubernetes-common');

const addResourceRoutesToRouter = (router, catalog, objectsProvider, httpAuth, permissionApi, auditor, logger) => {
  const getEntityByReq = async (req) => {
    const rawEntityRef = req.body?.entityRef;
    if (rawEntityRef && typeof rawEntityRef !== "string") {
      throw new errors.InputError(`entity query must be a string`);
    } else if (!rawEntityRef) {
      throw new errors.InputError("entity is a required field");
    }
    let entityRef = void 0;
    try {
      entityRef = catalogModel.parseEntityRef(rawEntityRef);
    } catch (error) {
      throw new errors.InputError(`Invalid entity ref, ${error}`);
    }
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await httpAuth.credentials(req)
    });
    if (!entity) {
      throw new errors.InputError(
        `Entity ref missing, ${catalogModel.stringifyEntityRef(entityRef)}`
      );
    }
    return entity;
  };
  router.post("/resources/workloads/query", async (req, res) => {
    const entityRef = typeof req.body?.entityRef === "string" ? req.body.entityRef : void 0;
    const auditorEvent = await auditor.createEvent({
      eventId: "resource-fetch",
      request: req,
      meta: { queryType: "workloads", entityRef }
    });
    try {
      await requirePermission.requirePermission(
        permissionApi,
        pluginKubernetesCommon.kubernetesResourcesReadPermission,
        httpAuth,
        req
      );
      const entity = await getEntityByReq(req);
      const response = await objectsProvider.getKubernetesObjectsByEntity(
        {
          entity,
          auth: req.body.auth
        },
        { credentials: await httpAuth.credentials(req) }
      );
      res.json(response);
      auditorEvent.success().catch(
        (error) => logger.error(
          "Failed to emit audit event resource-fetch (workloads)",
          error
        )
      );
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      await auditorEvent.fail({ error: err });
      throw error;
    }
  });
  router.post("/resources/custom/query", async (req, res) => {
    const entityRef = typeof req.body?.entityRef === "string" ? req.body.entityRef : void 0;
    const auditorEvent = await auditor.createEvent({
      eventId: "resource-fetch",
      request: req,
      meta: { queryType: "custom", entityRef }
    });
    try {
      await requirePermission.requirePermission(
        permissionApi,
        pluginKubernetesCommon.kubernetesResourcesReadPermission,
        httpAuth,
        req
      );
      const entity = await getEntityByReq(req);
      if (!req.body.customResources) {
        throw new errors.InputError("customResources is a required field");
      } else if (!Array.isArray(req.body.customResources)) {
        throw new errors.InputError("customResources must be an array");
      } else if (req.body.customResources.length === 0) {
        throw new errors.InputError("at least 1 customResource is required");
      }
      const response = await objectsProvider.getCustomResourcesByEntity(
        {
          entity,
          customResources: req.body.customResources,
          auth: req.body.auth
        },
        { credentials: await httpAuth.credentials(req) }
      );
      res.json(response);
      auditorEvent.success().catch(
        (error) => logger.error(
          "Failed to emit audit event resource-fetch (custom)",
          error
        )
      );
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      await auditorEvent.fail({ error: err });
      throw error;
    }
  });
};

exports.addResourceRoutesToRouter = addResourceRoutesToRouter;
