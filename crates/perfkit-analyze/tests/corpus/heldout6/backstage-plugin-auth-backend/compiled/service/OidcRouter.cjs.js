'use strict';

var Router = require('express-promise-router');
var OidcService = require('./OidcService.cjs.js');
var errors = require('@backstage/errors');
var express = require('express');
var v4 = require('zod/v4');
var v4$1 = require('zod-validation-error/v4');
var OidcError = require('./OidcError.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var Router__default = /*#__PURE__*/_interopDefaultCompat(Router);

function ensureTrailingSlash(url) {
  return url.endsWith("/") ? url : `${url}/`;
}
const authorizeQuerySchema = v4.z.object({
  client_id: v4.z.string().min(1),
  redirect_uri: v4.z.string().url(),
  response_type: v4.z.string().min(1),
  scope: v4.z.string().optional(),
  state: v4.z.string().optional(),
  nonce: v4.z.string().optional(),
  code_challenge: v4.z.string().optional(),
  code_challenge_method: v4.z.string().optional()
});
const sessionIdParamSchema = v4.z.object({
  sessionId: v4.z.string().min(1)
});
const tokenRequestBodySchema = v4.z.object({
  grant_type: v4.z.string().min(1),
  code: v4.z.string().optional(),
  redirect_uri: v4.z.string().url().optional(),
  code_verifier: v4.z.string().optional(),
  refresh_token: v4.z.string().optional(),
  client_id: v4.z.string().optional(),
  client_secret: v4.z.string().optional()
});
const revokeRequestBodySchema = v4.z.object({
  token: v4.z.string().min(1),
  token_type_hint: v4.z.string().optional(),
  client_id: v4.z.string().optional(),
  client_secret: v4.z.string().optional()
});
function validateRequest(schema, data) {
  const parseResult = schema.safeParse(data);
  if (!parseResult.success) {
    const errorMessage = v4$1.fromZodError(parseResult.error).message;
    throw new OidcError.OidcError("invalid_request", errorMessage, 400);
  }
  return parseResult.data;
}
function parseClientCredentials(opts) {
  const { req, bodyClientId, bodyClientSecret } = opts;
  const basicAuth = req.headers.authorization?.match(/^Basic[ ]+([^\s]+)$/i);
  if (basicAuth) {
    try {
      const decoded = Buffer.from(basicAuth[1], "base64").toString("utf8");
      const idx = decoded.indexOf(":");
      if (idx >= 0) {
        const clientId = decodeURIComponent(
          decoded.slice(0, idx).replace(/\+/g, " ")
        );
        const clientSecret = decodeURIComponent(
          decoded.slice(idx + 1).replace(/\+/g, " ")
        );
        if (clientId) {
          return { clientId, clientSecret };
        }
      }
    } catch {
    }
  }
  return { clientId: bodyClientId, clientSecret: bodyClientSecret };
}
class OidcRouter {
  oidc;
  logger;
  auth;
  appUrl;
  httpAuth;
  baseUrl;
  constructor(oidc, logger, auth, appUrl, httpAuth, baseUrl) {
    this.oidc = oidc;
    this.logger = logger;
    this.auth = auth;
    this.appUrl = appUrl;
    this.httpAuth = httpAuth;
    this.baseUrl = baseUrl;
  }
  static create(options) {
    return new OidcRouter(
      OidcService.OidcService.create(options),
      options.logger,
      options.auth,
      options.appUrl,
      options.httpAuth,
      options.baseUrl
    );
  }
  getRouter() {
    const router = Router__default.default();
    router.use(express.json());
    const cimdEnabled = this.oidc.isCimdEnabled();
    router.get("/.well-known/openid-configuration", (_req, res) => {
      res.json(this.oidc.getConfiguration());
    });
    router.get("/.well-known/jwks.json", async (_req, res) => {
      const { keys } = await this.oidc.listPublicKeys();
      res.json({ keys });
    });
    router.get("/.well-known/oauth-client/cli.json", (_req, res) => {
      if (!cimdEnabled) {
        res.status(404).json({
          error: "not_found",
          error_description: "Client ID metadata documents not enabled"
        });
        return;
      }
      res.json({
        client_id: `${this.baseUrl}/.well-known/oauth-client/cli.json`,
        client_name: "Backstage CLI",
        redirect_uris: ["http://127.0.0.1:8055/callback"],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "none",
        scope: "openid offline_access"
      });
    });
    router.get("/v1/userinfo", async (req, res) => {
      const matches = req.headers.authorization?.match(/^Bearer[ ]+(\S+)$/i);
      const token = matches?.[1];
      if (!token) {
        throw new errors.AuthenticationError("No token provided");
      }
      const userInfo = await this.oidc.getUserInfo({ token });
      if (!userInfo) {
        res.status(404).send("User info not found");
        return;
      }
      res.json(userInfo);
    });
    if (cimdEnabled || this.oidc.hasStaticClients()) {
      router.get("/v1/authorize", async (req, res) => {
        const {
          client_id: clientId,
          redirect_uri: redirectUri,
          response_type: responseType,
          scope,
          state,
          nonce,
          code_challenge: codeChallenge,
          code_challenge_method: codeChallengeMethod
        } = validateRequest(authorizeQuerySchema, req.query);
        try {
          const result = await this.oidc.createAuthorizationSession({
            clientId,
            redirectUri,
            responseType,
            scope,
            state,
            nonce,
            codeChallenge,
            codeChallengeMethod
          });
          const authSessionRedirectUrl = new URL(
            `./oauth2/authorize/${result.id}`,
            ensureTrailingSlash(this.appUrl)
          );
          return res.redirect(authSessionRedirectUrl.toString());
        } catch (error) {
          if (OidcError.OidcError.isOidcError(error)) {
            const errorParams = new URLSearchParams();
            errorParams.append("error", error.body.error);
            errorParams.append(
              "error_description",
              error.body.error_description
            );
            if (state) {
              errorParams.append("state", state);
            }
            const redirectUrl = new URL(redirectUri);
            redirectUrl.search = errorParams.toString();
            return res.redirect(redirectUrl.toString());
          }
          throw error;
        }
      });
      router.get("/v1/sessions/:sessionId", async (req, res) => {
        const { sessionId } = validateRequest(sessionIdParamSchema, req.params);
        try {
          const session = await this.oidc.getAuthorizationSession({
            sessionId
          });
          return res.json({
            id: session.id,
            clientId: session.clientId,
            clientName: session.clientName,
            scope: session.scope,
            redirectUri: session.redirectUri
          });
        } catch (error) {
          throw OidcError.OidcError.fromError(error);
        }
      });
      router.post("/v1/sessions/:sessionId/approve", async (req, res) => {
        const { sessionId } = validateRequest(sessionIdParamSchema, req.params);
        try {
          const httpCredentials = await this.httpAuth.credentials(req);
          if (!this.auth.isPrincipal(httpCredentials, "user")) {
            throw new OidcError.OidcError(
              "access_denied",
              "Authentication required",
              403
            );
          }
          const { userEntityRef } = httpCredentials.principal;
          const result = await this.oidc.approveAuthorizationSession({
            sessionId,
            userEntityRef
          });
          return res.json({
            redirectUrl: result.redirectUrl
          });
        } catch (error) {
          throw OidcError.OidcError.fromError(error);
        }
      });
      router.post("/v1/sessions/:sessionId/reject", async (req, res) => {
        const { sessionId } = validateRequest(sessionIdParamSchema, req.params);
        const httpCredentials = await this.httpAuth.credentials(req);
        if (!this.auth.isPrincipal(httpCredentials, "user")) {
          throw new OidcError.OidcError("access_denied", "Authentication required", 403);
        }
        const { userEntityRef } = httpCredentials.principal;
        try {
          const session = await this.oidc.getAuthorizationSession({
            sessionId
          });
          await this.oidc.rejectAuthorizationSession({
            sessionId,
            userEntityRef
          });
          const errorParams = new URLSearchParams();
          errorParams.append("error", "access_denied");
          errorParams.append("error_description", "User denied the request");
          if (session.state) {
            errorParams.append("state", session.state);
          }
          const redirectUrl = new URL(session.redirectUri);
          redirectUrl.search = errorParams.toString();
          return res.json({
            redirectUrl: redirectUrl.toString()
          });
        } catch (error) {
          throw OidcError.OidcError.fromError(error);
        }
      });
      router.post("/v1/token", async (req, res) => {
        const {
          grant_type: grantType,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
          refresh_token: refreshToken,
          client_id: bodyClientId,
          client_secret: bodyClientSecret
        } = validateRequest(tokenRequestBodySchema, req.body);
        try {
          const { clientId, clientSecret } = parseClientCredentials({
            req,
            bodyClientId,
            bodyClientSecret
          });
          let authenticatedClientId;
          if (clientSecret) {
            if (!clientId || !await this.oidc.verifyClientCredentials({
              clientId,
              clientSecret
            })) {
              throw new OidcError.OidcError(
                "invalid_client",
                "Invalid client credentials",
                401
              );
            }
            authenticatedClientId = clientId;
          } else if (req.headers.authorization?.match(/^Basic[ ]+/i) && !clientId) {
            throw new OidcError.OidcError(
              "invalid_client",
              "Invalid client credentials",
              401
            );
          }
          if (grantType === "authorization_code") {
            if (!code || !redirectUri) {
              throw new OidcError.OidcError(
                "invalid_request",
                "Missing code or redirect_uri parameters for authorization_code grant",
                400
              );
            }
            const result = await this.oidc.exchangeCodeForToken({
              clientId: authenticatedClientId ?? clientId,
              code,
              redirectUri,
              codeVerifier,
              grantType,
              authenticatedClientId
            });
            return res.json({
              access_token: result.accessToken,
              token_type: result.tokenType,
              expires_in: result.expiresIn,
              id_token: result.idToken,
              scope: result.scope,
              ...result.refreshToken && {
                refresh_token: result.refreshToken
              }
            });
          }
          if (grantType === "refresh_token") {
            if (!refreshToken) {
              throw new OidcError.OidcError(
                "invalid_request",
                "Missing refresh_token parameter for refresh_token grant",
                400
              );
            }
            const result = await this.oidc.refreshAccessToken({
              refreshToken,
              clientId: authenticatedClientId ?? clientId,
              authenticatedClientId
            });
            return res.json({
              access_token: result.accessToken,
              token_type: result.tokenType,
              expires_in: result.expiresIn,
              refresh_token: result.refreshToken
            });
          }
          throw new OidcError.OidcError(
            "unsupported_grant_type",
            `Grant type ${grantType} is not supported`,
            400
          );
        } catch (error) {
          if (errors.isError(error) && error.name === "AuthenticationError") {
            throw new OidcError.OidcError("invalid_grant", error.message, 400, error);
          }
          throw OidcError.OidcError.fromError(error);
        }
      });
      router.post("/v1/revoke", async (req, res) => {
        try {
          const {
            token,
            client_id: bodyClientId,
            client_secret: bodyClientSecret
          } = validateRequest(revokeRequestBodySchema, req.body ?? {});
          const { clientId, clientSecret } = parseClientCredentials({
            req,
            bodyClientId,
            bodyClientSecret
          });
          if (!clientId) {
            throw new OidcError.OidcError(
              "invalid_client",
              "Client authentication required",
              401
            );
          }
          const isValidClient = await this.oidc.verifyRevocationClient({
            clientId,
            clientSecret
          });
          if (!isValidClient) {
            throw new OidcError.OidcError(
              "invalid_client",
              "Invalid client credentials",
              401
            );
          }
          try {
            await this.oidc.revokeRefreshToken(token);
          } catch (e) {
            this.logger.error("Failed to revoke token", e);
          }
          return res.status(200).send("");
        } catch (e) {
          throw OidcError.OidcError.fromError(e);
        }
      });
    }
    router.use(OidcError.OidcError.middleware(this.logger));
    return router;
  }
}

exports.OidcRouter = OidcRouter;
