'use strict';

var errors = require('@backstage/errors');
var pluginKubernetesCommon = require('@backstage/plugin-kubernetes-common');
var pluginPermissionCommon = require('@backstage/plugin-permission-common');
var httpProxyMiddleware = require('http-proxy-middleware');
var fs = require('fs-extra');
var ProxyMiddlewareCache = require('./ProxyMiddlewareCache.cjs.js');
var ProxyAuditSession = require('./ProxyAuditSession.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var fs__default = /*#__PURE__*/_interopDefaultCompat(fs);

const PROXY_PREPARED_TARGET = /* @__PURE__ */ Symbol("kubernetesProxyPreparedTarget");
const HEADER_KUBERNETES_CLUSTER = "Backstage-Kubernetes-Cluster";
const HEADER_KUBERNETES_AUTH = "Backstage-Kubernetes-Authorization";
class KubernetesProxy {
  middlewareCache;
  logger;
  clusterSupplier;
  authStrategy;
  httpAuth;
  auditor;
  constructor(options) {
    this.logger = options.logger;
    this.clusterSupplier = options.clusterSupplier;
    this.authStrategy = options.authStrategy;
    this.httpAuth = options.httpAuth;
    this.auditor = options.auditor;
    this.middlewareCache = new ProxyMiddlewareCache.ProxyMiddlewareCache(
      ProxyMiddlewareCache.resolveProxyMiddlewareCacheOptions(options.middlewareCache)
    );
  }
  createRequestHandler(options) {
    const { permissionApi } = options;
    return async (req, res, next) => {
      const clusterNameHeader = req.headers[HEADER_KUBERNETES_CLUSTER.toLowerCase()];
      const clusterName = typeof clusterNameHeader === "string" && clusterNameHeader.length > 0 ? clusterNameHeader : "unknown";
      const path = req.path || req.url.split("?")[0] || "";
      let clientDisconnected = false;
      const onSocketClose = () => {
        clientDisconnected = true;
      };
      req.socket.once("close", onSocketClose);
      let auditSession;
      let finishListenerAttached = false;
      try {
        auditSession = await ProxyAuditSession.ProxyAuditSession.start(this.auditor, {
          req,
          clusterName,
          method: req.method,
          path,
          logger: this.logger
        });
        finishListenerAttached = await this.authorizeAndDispatch(
          req,
          res,
          next,
          permissionApi,
          auditSession,
          onSocketClose,
          () => clientDisconnected
        );
      } catch (error) {
        req.socket.removeListener("close", onSocketClose);
        const err = error instanceof Error ? error : new Error(String(error));
        if (auditSession && !finishListenerAttached) {
          auditSession.finalize(err);
        }
        throw error;
      }
    };
  }
  /**
   * Authorizes the request, resolves the target cluster, and dispatches
   * to either the HTTP or WebSocket proxy path. Returns `true` when
   * HTTP finish listeners have been attached.
   */
  async authorizeAndDispatch(req, res, next, permissionApi, auditSession, onSocketClose, isClientDisconnected) {
    const authorizeResponse = await permissionApi.authorize(
      [{ permission: pluginKubernetesCommon.kubernetesProxyPermission }],
      { credentials: await this.httpAuth.credentials(req) }
    );
    if (authorizeResponse[0].result === pluginPermissionCommon.AuthorizeResult.DENY) {
      req.socket.removeListener("close", onSocketClose);
      auditSession.finalize(new errors.NotAllowedError("Unauthorized"));
      res.status(403).json({
        error: errors.serializeError(new errors.NotAllowedError("Unauthorized"))
      });
      return false;
    }
    if (isClientDisconnected()) {
      auditSession.finalize(
        new Error("Client disconnected before proxy dispatch")
      );
      return false;
    }
    const prepared = await this.prepareProxyTarget(req);
    auditSession.setResolvedClusterName(prepared.cluster.name);
    req[PROXY_PREPARED_TARGET] = prepared;
    const middleware = this.getOrCreateMiddleware(prepared.cluster);
    if (isClientDisconnected()) {
      auditSession.finalize(
        new Error("Client disconnected before proxy dispatch")
      );
      return false;
    }
    return KubernetesProxy.dispatchToProxy(
      req,
      res,
      next,
      middleware,
      auditSession,
      onSocketClose
    );
  }
  /**
   * Resolves the cluster, credentials, and target URL for a proxy request
   * before dispatching to the middleware. This ensures all async preparation
   * completes under the caller's try/catch, avoiding unhandled rejections
   * from http-proxy-middleware's fire-and-forget upgrade() path.
   */
  async prepareProxyTarget(req) {
    const cluster = await this.getClusterForRequest(req);
    const url = new URL(cluster.url);
    const { bufferFromFileOrString } = await import('@kubernetes/client-node');
    const target = {
      protocol: url.protocol,
      host: url.hostname,
      port: url.port,
      ca: bufferFromFileOrString(cluster.caFile, cluster.caData)?.toString()
    };
    delete req.headers.authorization;
    delete req.headers.cookie;
    const authHeader = req.headers[HEADER_KUBERNETES_AUTH.toLowerCase()];
    if (typeof authHeader === "string") {
      req.headers.authorization = authHeader;
    } else {
      const authObj = KubernetesProxy.authHeadersToKubernetesRequestAuth(
        req.headers
      );
      const credential = await this.authStrategy.getCredential(
        cluster,
        authObj
      );
      if (credential.type === "bearer token") {
        req.headers.authorization = `Bearer ${credential.token}`;
      } else if (credential.type === "x509 client certificate") {
        target.key = credential.key;
        target.cert = credential.cert;
      }
    }
    const requestPath = req.originalUrl || req.url || "";
    const rewrittenPath = requestPath.replace(
      new RegExp(
        `^${(req.baseUrl || "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`
      ),
      url.pathname || ""
    );
    return { proxyTarget: target, rewrittenPath, cluster };
  }
  // We create one middleware per remote cluster and hold on to them, because
  // the secure property isn't possible to decide on a per-request basis with a
  // single middleware instance. Target resolution and path rewriting are handled
  // per-request via the PROXY_PREPARED_TARGET symbol stashed on each req by
  // prepareProxyTarget. Entries are refreshed after a TTL or when cluster details
  // change.
  getOrCreateMiddleware(cluster) {
    let middleware = this.middlewareCache.get(cluster);
    if (!middleware) {
      const logger = this.logger.child({ cluster: cluster.name });
      middleware = httpProxyMiddleware.createProxyMiddleware({
        logProvider: () => ({
          log: logger.info.bind(logger),
          debug: logger.debug.bind(logger),
          info: logger.info.bind(logger),
          warn: logger.warn.bind(logger),
          error: logger.error.bind(logger)
        }),
        // ws must be false to prevent http-proxy-middleware from auto-subscribing
        // to the server's 'upgrade' event, which would bypass Express routing and
        // skip audit event creation for WebSocket requests.
        ws: false,
        secure: !cluster.skipTLSVerify,
        changeOrigin: true,
        router: (req) => {
          return req[PROXY_PREPARED_TARGET]?.proxyTarget;
        },
        pathRewrite: (_path, req) => {
          return req[PROXY_PREPARED_TARGET]?.rewrittenPath ?? _path;
        },
        onError: (error, req, res) => {
          const wrappedError = new errors.ForwardedError(
            `Cluster '${cluster.name}' request error`,
            error
          );
          logger.error("Kubernetes proxy error", wrappedError);
          if (typeof res.status !== "function") {
            return;
          }
          const body = {
            error: errors.serializeError(wrappedError, {
              includeStack: process.env.NODE_ENV === "development"
            }),
            request: { method: req.method, url: req.originalUrl },
            response: { statusCode: 500 }
          };
          res.status(500).json(body);
        },
        onProxyReqWs: ProxyAuditSession.ProxyAuditSession.handleWebSocketProxyReq
      });
      this.middlewareCache.set(cluster, middleware);
    }
    return middleware;
  }
  /**
   * Branches to WebSocket upgrade or HTTP middleware dispatch and wires
   * up the appropriate audit listeners. Returns `true` when HTTP finish
   * listeners have been attached (used by the caller's catch block to
   * avoid double-finalizing).
   */
  static dispatchToProxy(req, res, next, middleware, auditSession, onSocketClose) {
    const isWebSocketUpgrade = (req.header("connection") ?? "").toLowerCase().split(",").some((t) => t.trim() === "upgrade") && req.header("upgrade")?.toLowerCase() === "websocket";
    if (isWebSocketUpgrade) {
      auditSession.prepareForWebSocketUpgrade(req, onSocketClose);
      try {
        middleware.upgrade(req, req.socket, void 0);
      } catch (error) {
        req.socket.removeListener("close", onSocketClose);
        auditSession.finalize(
          error instanceof Error ? error : new Error(String(error))
        );
        throw error;
      }
      return false;
    }
    req.socket.removeListener("close", onSocketClose);
    auditSession.attachToHttpResponse(res);
    middleware(req, res, next);
    return true;
  }
  async getClusterForRequest(req) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const clusterName = req.headers[HEADER_KUBERNETES_CLUSTER.toLowerCase()];
    const clusters = await this.clusterSupplier.getClusters({
      credentials: await this.httpAuth.credentials(req)
    });
    if (!clusters || clusters.length <= 0) {
      throw new errors.NotFoundError(`No Clusters configured`);
    }
    const hasClusterNameHeader = typeof clusterName === "string" && clusterName.length > 0;
    let cluster;
    if (hasClusterNameHeader) {
      cluster = clusters.find((c) => c.name === clusterName);
    } else if (clusters.length === 1) {
      cluster = clusters.at(0);
    }
    if (!cluster) {
      throw new errors.NotFoundError(`Cluster '${clusterName}' not found`);
    }
    const authProvider = cluster.authMetadata[pluginKubernetesCommon.ANNOTATION_KUBERNETES_AUTH_PROVIDER];
    if (authProvider === "serviceAccount" && fs__default.default.pathExistsSync(pluginKubernetesCommon.SERVICEACCOUNT_CA_PATH) && !cluster.authMetadata.serviceAccountToken) {
      const kc = new KubeConfig();
      kc.loadFromCluster();
      const clusterFromKubeConfig = kc.getCurrentCluster();
      const url = new URL(clusterFromKubeConfig.server);
      cluster.url = clusterFromKubeConfig.server;
      if (url.protocol === "https:") {
        cluster.caFile = clusterFromKubeConfig.caFile;
      }
    }
    return cluster;
  }
  static authHeadersToKubernetesRequestAuth(originalHeaders) {
    return Object.keys(originalHeaders).filter((header) => header.startsWith("backstage-kubernetes-authorization")).map(
      (header) => KubernetesProxy.headerToDictionary(header, originalHeaders)
    ).filter((headerAsDic) => Object.keys(headerAsDic).length !== 0).reduce(KubernetesProxy.combineHeaders, {});
  }
  static headerToDictionary(header, originalHeaders) {
    const obj = {};
    const headerSplit = header.split("-");
    if (headerSplit.length >= 4) {
      const framework = headerSplit[3].toLowerCase();
      if (headerSplit.length >= 5) {
        const provider = headerSplit.slice(4).join("-").toLowerCase();
        obj[framework] = { [provider]: originalHeaders[header] };
      } else {
        obj[framework] = originalHeaders[header];
      }
    }
    return obj;
  }
  static combineHeaders(authObj, header) {
    const framework = Object.keys(header)[0];
    if (authObj[framework]) {
      authObj[framework] = {
        ...authObj[framework],
        ...header[framework]
      };
    } else {
      authObj[framework] = header[framework];
    }
    return authObj;
  }
}

exports.HEADER_KUBERNETES_AUTH = HEADER_KUBERNETES_AUTH;
exports.HEADER_KUBERNETES_CLUSTER = HEADER_KUBERNETES_CLUSTER;
exports.KubernetesProxy = KubernetesProxy;
