'use strict';

var pluginKubernetesCommon = require('@backstage/plugin-kubernetes-common');
var express = require('express');
var Router = require('express-promise-router');
require('@aws-sdk/credential-providers');
require('@smithy/signature-v4');
require('@aws-crypto/sha256-js');
require('@backstage/integration-aws-node');
require('@azure/identity');
require('@google-cloud/container');
var DispatchStrategy = require('../auth/DispatchStrategy.cjs.js');
require('fs-extra');
var errors = require('@backstage/errors');
var resourcesRoutes = require('../routes/resourcesRoutes.cjs.js');
var KubernetesProxy = require('./KubernetesProxy.cjs.js');
var requirePermission = require('../auth/requirePermission.cjs.js');
var catalogModel = require('@backstage/catalog-model');
var ProxyMiddlewareCache = require('./ProxyMiddlewareCache.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var express__default = /*#__PURE__*/_interopDefaultCompat(express);
var Router__default = /*#__PURE__*/_interopDefaultCompat(Router);

class KubernetesRouter {
  static create(env) {
    return new KubernetesRouter(env);
  }
  env;
  constructor(env) {
    this.env = env;
  }
  async getRouter() {
    const {
      logger,
      config,
      permissions,
      authStrategyMap,
      clusterSupplier,
      objectsProvider,
      catalog,
      discovery,
      httpAuth,
      customRouter
    } = this.env;
    logger.info("Initializing Kubernetes backend");
    if (!config.has("kubernetes")) {
      if (process.env.NODE_ENV !== "development") {
        throw new Error("Kubernetes configuration is missing");
      }
      logger.warn(
        "Failed to initialize kubernetes backend: kubernetes config is missing"
      );
      return Router__default.default();
    }
    await this.warnForClustersWithSkipTLSVerify(logger, clusterSupplier);
    const proxy = this.buildProxy(
      logger,
      clusterSupplier,
      discovery,
      httpAuth,
      authStrategyMap
    );
    return customRouter?.({
      getDefault: () => this.buildDefaultRouter(
        objectsProvider,
        clusterSupplier,
        catalog,
        proxy,
        permissions,
        httpAuth,
        authStrategyMap
      ),
      objectsProvider,
      clusterSupplier,
      authStrategyMap
    }) ?? this.buildDefaultRouter(
      objectsProvider,
      clusterSupplier,
      catalog,
      proxy,
      permissions,
      httpAuth,
      authStrategyMap
    );
  }
  buildProxy(logger, clusterSupplier, discovery, httpAuth, authStrategyMap) {
    const authStrategy = new DispatchStrategy.DispatchStrategy({
      authStrategyMap
    });
    const middlewareCacheConfig = this.env.config.getOptionalConfig(
      "kubernetes.proxy.middlewareCache"
    );
    const { ttlMs, maxSize } = ProxyMiddlewareCache.resolveProxyMiddlewareCacheOptions({
      ttlMs: middlewareCacheConfig?.getOptionalNumber("ttl.milliseconds"),
      maxSize: middlewareCacheConfig?.getOptionalNumber("maxSize")
    });
    return new KubernetesProxy.KubernetesProxy({
      logger,
      clusterSupplier,
      authStrategy,
      discovery,
      httpAuth,
      auditor: this.env.auditor,
      middlewareCache: { ttlMs, maxSize }
    });
  }
  buildDefaultRouter(objectsProvider, clusterSupplier, catalog, proxy, permissionApi, httpAuth, authStrategyMap) {
    const logger = this.env.logger;
    const auditor = this.env.auditor;
    const router = Router__default.default();
    router.use("/proxy", proxy.createRequestHandler({ permissionApi }));
    router.use(express__default.default.json());
    router.post("/services/:serviceId", async (req, res) => {
      const serviceId = req.params.serviceId;
      const requestBody = req.body;
      let entityRef;
      if (requestBody?.entity) {
        try {
          entityRef = catalogModel.stringifyEntityRef(requestBody.entity);
        } catch {
          entityRef = void 0;
        }
      }
      const auditorEvent = await auditor.createEvent({
        eventId: "resource-fetch",
        request: req,
        meta: { queryType: "services", entityRef, serviceId }
      });
      try {
        await requirePermission.requirePermission(
          permissionApi,
          pluginKubernetesCommon.kubernetesResourcesReadPermission,
          httpAuth,
          req
        );
        const credentials = await httpAuth.credentials(req);
        let resolvedEntity = requestBody?.entity;
        if (requestBody?.entity) {
          if (!entityRef) {
            throw new errors.NotAllowedError("Invalid entity reference");
          }
          const parsedRef = catalogModel.parseEntityRef(entityRef);
          const catalogEntity = await catalog.getEntityByRef(parsedRef, {
            credentials
          });
          if (!catalogEntity) {
            throw new errors.NotAllowedError(`Entity not found, ${entityRef}`);
          }
          resolvedEntity = catalogEntity;
        }
        const response = await objectsProvider.getKubernetesObjectsByEntity(
          {
            entity: resolvedEntity,
            auth: requestBody?.auth || {}
          },
          { credentials }
        );
        res.json(response);
        auditorEvent.success().catch(
          (error) => logger.error(
            "Failed to emit audit event resource-fetch (services)",
            error
          )
        );
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        await auditorEvent.fail({ error: err });
        if (e instanceof errors.NotAllowedError) {
          throw e;
        }
        logger.error(
          `action=retrieveObjectsByServiceId service=${serviceId}, error: ${err}`
        );
        if (!res.headersSent) {
          res.status(500).json({ error: err.message });
        }
      }
    });
    router.get("/clusters", async (req, res) => {
      const auditorEvent = await auditor.createEvent({
        eventId: "cluster-fetch",
        request: req,
        meta: { queryType: "list" }
      });
      try {
        await requirePermission.requirePermission(
          permissionApi,
          pluginKubernetesCommon.kubernetesClustersReadPermission,
          httpAuth,
          req
        );
        const credentials = await httpAuth.credentials(req);
        const clusterDetails = await this.fetchClusterDetails(clusterSupplier, {
          credentials
        });
        res.json({
          items: clusterDetails.map((cd) => {
            const oidcTokenProvider = cd.authMetadata[pluginKubernetesCommon.ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER];
            const authProvider = cd.authMetadata[pluginKubernetesCommon.ANNOTATION_KUBERNETES_AUTH_PROVIDER];
            const strategy = authStrategyMap[authProvider];
            let auth = {};
            if (strategy) {
              auth = strategy.presentAuthMetadata(cd.authMetadata);
            }
            return {
              name: cd.name,
              title: cd.title,
              dashboardUrl: cd.dashboardUrl,
              authProvider,
              ...oidcTokenProvider && { oidcTokenProvider },
              ...auth && Object.keys(auth).length !== 0 && { auth }
            };
          })
        });
        auditorEvent.success().catch(
          (error) => logger.error(
            "Failed to emit audit event cluster-fetch (list)",
            error
          )
        );
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        await auditorEvent.fail({ error: err });
        throw e;
      }
    });
    resourcesRoutes.addResourceRoutesToRouter(
      router,
      catalog,
      objectsProvider,
      httpAuth,
      permissionApi,
      auditor,
      logger
    );
    return router;
  }
  async fetchClusterDetails(clusterSupplier, options) {
    const clusterDetails = await clusterSupplier.getClusters(options);
    this.env.logger.debug(
      `action=loadClusterDetails numOfClustersLoaded=${clusterDetails.length}`
    );
    return clusterDetails;
  }
  async warnForClustersWithSkipTLSVerify(logger, clusterSupplier) {
    try {
      const credentials = await this.env.auth.getOwnServiceCredentials();
      const clusters = await clusterSupplier.getClusters({ credentials });
      for (const cluster of clusters) {
        if (cluster.skipTLSVerify) {
          logger.warn(
            `Cluster '${cluster.name}' is configured with skipTLSVerify: true; TLS certificate verification is disabled for Kubernetes API traffic to this cluster`
          );
        }
      }
    } catch (error) {
      logger.warn(
        `Failed to log skipTLSVerify warnings at startup: ${errors.toError(error).message}`
      );
    }
  }
}

exports.KubernetesRouter = KubernetesRouter;
