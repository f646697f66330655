'use strict';

var errors = require('@backstage/errors');
var jose = require('jose');
var crypto = require('node:crypto');
var luxon = require('luxon');
var matcher = require('matcher');
var OidcError = require('./OidcError.cjs.js');
var CimdClient = require('./CimdClient.cjs.js');
var readTokenExpiration = require('./readTokenExpiration.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var crypto__default = /*#__PURE__*/_interopDefaultCompat(crypto);
var matcher__default = /*#__PURE__*/_interopDefaultCompat(matcher);

const WILDCARD_PORT = /:\*(?=\/|$)/;
const EXPLICIT_PROTOCOL = /^[a-z][a-z0-9+.-]*:/i;
function createUrlPatternMatcher(pattern) {
  if (pattern === "*") {
    return () => true;
  }
  if (!EXPLICIT_PROTOCOL.test(pattern)) {
    throw new Error(
      `Invalid URL pattern '${pattern}', an explicit protocol is required`
    );
  }
  const hasWildcardPort = pattern.includes("://") && WILDCARD_PORT.test(pattern);
  let patternUrl;
  try {
    patternUrl = new URL(
      hasWildcardPort ? pattern.replace(WILDCARD_PORT, ":1") : pattern
    );
  } catch {
    throw new Error(`Invalid URL pattern '${pattern}'`);
  }
  const hostnamePattern = patternUrl.hostname || "*";
  const pathPattern = patternUrl.pathname || "*";
  return (url) => url.protocol === patternUrl.protocol && matcher__default.default.isMatch(url.hostname, hostnamePattern) && (hasWildcardPort || url.port === patternUrl.port) && matcher__default.default.isMatch(url.pathname, pathPattern);
}
function validateRedirectUri(redirectUri, allowedPatterns) {
  const parsed = new URL(redirectUri);
  const normalized = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  if (parsed.username || parsed.password) {
    throw new errors.InputError(`Invalid redirect_uri '${normalized}'`);
  }
  const allowedMatchers = allowedPatterns.map(createUrlPatternMatcher);
  if (!allowedMatchers.some((matches) => matches(parsed))) {
    throw new errors.InputError(`Invalid redirect_uri '${normalized}'`);
  }
}
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
const LOOPBACK_REDIRECT_PATTERNS = [
  "http://localhost:*/*",
  "http://localhost/*",
  "http://127.0.0.1:*/*",
  "http://127.0.0.1/*",
  "http://[::1]:*/*",
  "http://[::1]/*"
];
function matchesRedirectUri(requestUri, registeredUris) {
  const requested = new URL(requestUri);
  if (!LOOPBACK_HOSTS.includes(requested.hostname)) {
    return registeredUris.includes(requestUri);
  }
  return registeredUris.some((registered) => {
    let reg;
    try {
      reg = new URL(registered);
    } catch {
      return false;
    }
    return LOOPBACK_HOSTS.includes(reg.hostname) && reg.protocol === requested.protocol && reg.hostname === requested.hostname && reg.pathname === requested.pathname;
  });
}
function readStaticClients(config) {
  const clients = /* @__PURE__ */ new Map();
  const clientConfigs = config.getOptionalConfigArray("auth.staticClients") ?? [];
  for (const clientConfig of clientConfigs) {
    const clientId = clientConfig.getString("clientId");
    if (URL.canParse(clientId)) {
      throw new Error(
        `Invalid client ID '${clientId}' in auth.staticClients, client IDs must not be URLs`
      );
    }
    if (clients.has(clientId)) {
      throw new Error(
        `Duplicate client ID '${clientId}' in auth.staticClients`
      );
    }
    const redirectUris = clientConfig.getStringArray("redirectUris");
    if (redirectUris.length === 0) {
      throw new Error(
        `Client '${clientId}' in auth.staticClients must have at least one redirect URI`
      );
    }
    for (const redirectUri of redirectUris) {
      if (!URL.canParse(redirectUri)) {
        throw new Error(
          `Invalid redirect URI '${redirectUri}' for client '${clientId}' in auth.staticClients`
        );
      }
    }
    clients.set(clientId, {
      clientName: clientConfig.getOptionalString("clientName") ?? clientId,
      clientSecret: clientConfig.getOptionalString("clientSecret"),
      redirectUris
    });
  }
  return clients;
}
function safeEqual(a, b) {
  const expected = Buffer.from(a, "utf8");
  const provided = Buffer.from(b, "utf8");
  if (expected.length !== provided.length) {
    return false;
  }
  return crypto__default.default.timingSafeEqual(expected, provided);
}
class OidcService {
  auth;
  tokenIssuer;
  baseUrl;
  userInfo;
  oidc;
  config;
  logger;
  offlineAccess;
  tokenExpirationSeconds;
  staticClients;
  constructor(auth, tokenIssuer, baseUrl, userInfo, oidc, config, logger, offlineAccess) {
    this.auth = auth;
    this.tokenIssuer = tokenIssuer;
    this.baseUrl = baseUrl;
    this.userInfo = userInfo;
    this.oidc = oidc;
    this.config = config;
    this.logger = logger;
    this.offlineAccess = offlineAccess;
    this.tokenExpirationSeconds = readTokenExpiration.readBackstageTokenExpiration(config);
    this.staticClients = readStaticClients(config);
  }
  static create(options) {
    return new OidcService(
      options.auth,
      options.tokenIssuer,
      options.baseUrl,
      options.userInfo,
      options.oidc,
      options.config,
      options.logger,
      options.offlineAccess
    );
  }
  getConfiguration() {
    const cimdEnabled = this.isCimdEnabled();
    const staticClientsEnabled = this.hasStaticClients();
    const confidentialClientsEnabled = [...this.staticClients.values()].some(
      (client) => !!client.clientSecret
    );
    const publicClientsEnabled = cimdEnabled || [...this.staticClients.values()].some((client) => !client.clientSecret);
    return {
      issuer: this.baseUrl,
      token_endpoint: `${this.baseUrl}/v1/token`,
      userinfo_endpoint: `${this.baseUrl}/v1/userinfo`,
      jwks_uri: `${this.baseUrl}/.well-known/jwks.json`,
      response_types_supported: ["code", "id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: [
        "RS256",
        "RS384",
        "RS512",
        "ES256",
        "ES384",
        "ES512",
        "PS256",
        "PS384",
        "PS512",
        "EdDSA"
      ],
      scopes_supported: [
        "openid",
        ...this.offlineAccess ? ["offline_access"] : []
      ],
      token_endpoint_auth_methods_supported: [
        ...confidentialClientsEnabled ? ["client_secret_basic", "client_secret_post"] : [],
        ...publicClientsEnabled ? ["none"] : []
      ],
      claims_supported: ["sub", "ent"],
      grant_types_supported: [
        "authorization_code",
        ...this.offlineAccess ? ["refresh_token"] : []
      ],
      authorization_endpoint: `${this.baseUrl}/v1/authorize`,
      code_challenge_methods_supported: ["S256"],
      ...(cimdEnabled || staticClientsEnabled) && {
        revocation_endpoint: `${this.baseUrl}/v1/revoke`
      },
      ...cimdEnabled && { client_id_metadata_document_supported: true }
    };
  }
  isCimdEnabled() {
    return this.getCimdConfig().enabled;
  }
  hasStaticClients() {
    return this.staticClients.size > 0;
  }
  async listPublicKeys() {
    return await this.tokenIssuer.listPublicKeys();
  }
  async getUserInfo({ token }) {
    const credentials = await this.auth.authenticate(token, {
      allowLimitedAccess: true
    });
    if (!this.auth.isPrincipal(credentials, "user")) {
      throw new errors.InputError(
        "Userinfo endpoint must be called with a token that represents a user principal"
      );
    }
    const { sub: userEntityRef } = jose.decodeJwt(token);
    if (typeof userEntityRef !== "string") {
      throw new Error("Invalid user token, user entity ref must be a string");
    }
    return await this.userInfo.getUserInfo(userEntityRef);
  }
  async createAuthorizationSession(opts) {
    const {
      clientId,
      redirectUri,
      responseType,
      scope,
      state,
      nonce,
      codeChallenge,
      codeChallengeMethod
    } = opts;
    if (responseType !== "code") {
      throw new errors.InputError("Only authorization code flow is supported");
    }
    const client = await this.resolveClient({ clientId, redirectUri });
    if (!codeChallenge) {
      throw new errors.InputError(
        "PKCE is required for all clients. Provide a code_challenge parameter."
      );
    }
    if (codeChallengeMethod !== "S256") {
      throw new errors.InputError("Invalid code_challenge_method");
    }
    const sessionId = crypto__default.default.randomUUID();
    const sessionExpiresAt = luxon.DateTime.now().plus({ hours: 1 }).toJSDate();
    await this.oidc.createAuthorizationSession({
      id: sessionId,
      clientId,
      redirectUri,
      responseType,
      scope,
      state,
      codeChallenge,
      codeChallengeMethod,
      nonce,
      expiresAt: sessionExpiresAt
    });
    return {
      id: sessionId,
      clientName: client.clientName,
      scope,
      redirectUri
    };
  }
  getCimdConfig() {
    const configPath = this.config.has("auth.clientIdMetadataDocuments") ? "auth.clientIdMetadataDocuments" : "auth.experimentalClientIdMetadataDocuments";
    const enabled = this.config.getOptionalBoolean(`${configPath}.enabled`) ?? false;
    const cliClientId = `${this.baseUrl}/.well-known/oauth-client/cli.json`;
    const configuredClientIdPatterns = this.config.getOptionalStringArray(
      `${configPath}.allowedClientIdPatterns`
    );
    return {
      enabled,
      allowedClientIdPatterns: configuredClientIdPatterns ? [.../* @__PURE__ */ new Set([...configuredClientIdPatterns, cliClientId])] : [
        "https://claude.ai/*",
        "https://vscode.dev/*",
        "https://chatgpt.com/oauth/codex/*/client.json",
        "https://cursor.com/oauth/mcp-client.json",
        cliClientId
      ],
      allowedRedirectUriPatterns: this.config.getOptionalStringArray(
        `${configPath}.allowedRedirectUriPatterns`
      ) ?? LOOPBACK_REDIRECT_PATTERNS
    };
  }
  async resolveClient(opts) {
    const staticClient = this.staticClients.get(opts.clientId);
    if (staticClient) {
      if (opts.redirectUri && !staticClient.redirectUris.includes(opts.redirectUri)) {
        throw new errors.InputError(`Invalid redirect_uri '${opts.redirectUri}'`);
      }
      return {
        clientName: staticClient.clientName,
        redirectUris: staticClient.redirectUris
      };
    }
    const cimdUrl = CimdClient.validateCimdUrl(opts.clientId);
    return this.resolveCimdClient({ ...opts, cimdUrl });
  }
  async resolveCimdClient(opts) {
    const cimd = this.getCimdConfig();
    if (!cimd.enabled) {
      throw new errors.InputError("Client ID metadata documents not enabled");
    }
    const matchingPattern = cimd.allowedClientIdPatterns.find((pattern) => {
      const matches = createUrlPatternMatcher(pattern);
      return matches(opts.cimdUrl);
    });
    if (!matchingPattern) {
      throw new errors.InputError(`Invalid client_id '${opts.clientId}'`);
    }
    const isExactPattern = !matchingPattern.includes("*") && !matchingPattern.includes("?");
    const cimdClient = await CimdClient.fetchCimdMetadata({
      clientId: opts.clientId,
      validatedUrl: opts.cimdUrl,
      skipSsrfCheck: isExactPattern
    });
    if (opts.redirectUri) {
      validateRedirectUri(opts.redirectUri, cimd.allowedRedirectUriPatterns);
      if (!matchesRedirectUri(opts.redirectUri, cimdClient.redirectUris)) {
        throw new errors.InputError(
          `Invalid redirect_uri '${opts.redirectUri}', not registered in client metadata`
        );
      }
    }
    return cimdClient;
  }
  async getValidPendingSession(sessionId) {
    const session = await this.oidc.getAuthorizationSession({ id: sessionId });
    if (!session) {
      throw new errors.NotFoundError("Invalid authorization session");
    }
    if (luxon.DateTime.fromJSDate(session.expiresAt) < luxon.DateTime.now()) {
      throw new errors.InputError("Authorization session expired");
    }
    if (session.status !== "pending") {
      throw new errors.NotFoundError("Authorization session not found or expired");
    }
    return session;
  }
  async approveAuthorizationSession(opts) {
    const { sessionId, userEntityRef } = opts;
    const session = await this.getValidPendingSession(sessionId);
    await this.oidc.updateAuthorizationSession({
      id: session.id,
      userEntityRef,
      status: "approved"
    });
    const authorizationCode = crypto__default.default.randomBytes(32).toString("base64url");
    const codeExpiresAt = luxon.DateTime.now().plus({ minutes: 10 }).toJSDate();
    await this.oidc.createAuthorizationCode({
      code: authorizationCode,
      sessionId: session.id,
      expiresAt: codeExpiresAt
    });
    const redirectUrl = new URL(session.redirectUri);
    redirectUrl.searchParams.append("code", authorizationCode);
    if (session.state) {
      redirectUrl.searchParams.append("state", session.state);
    }
    return {
      redirectUrl: redirectUrl.toString()
    };
  }
  async getAuthorizationSession(opts) {
    const session = await this.getValidPendingSession(opts.sessionId);
    const { clientName } = await this.resolveClient({
      clientId: session.clientId
    });
    return {
      id: session.id,
      clientId: session.clientId,
      clientName,
      redirectUri: session.redirectUri,
      scope: session.scope,
      state: session.state,
      responseType: session.responseType,
      codeChallenge: session.codeChallenge,
      codeChallengeMethod: session.codeChallengeMethod,
      nonce: session.nonce,
      expiresAt: session.expiresAt,
      status: session.status
    };
  }
  async rejectAuthorizationSession(opts) {
    const { sessionId, userEntityRef } = opts;
    const session = await this.getValidPendingSession(sessionId);
    await this.oidc.updateAuthorizationSession({
      id: session.id,
      status: "rejected",
      userEntityRef
    });
  }
  async exchangeCodeForToken(params) {
    const {
      clientId,
      code,
      redirectUri,
      codeVerifier,
      grantType,
      authenticatedClientId
    } = params;
    if (grantType !== "authorization_code") {
      throw new errors.InputError("Unsupported grant type");
    }
    const authCode = await this.oidc.getAuthorizationCode({ code });
    if (!authCode) {
      throw new errors.AuthenticationError("Invalid authorization code");
    }
    if (luxon.DateTime.fromJSDate(authCode.expiresAt) < luxon.DateTime.now()) {
      throw new errors.AuthenticationError("Authorization code expired");
    }
    if (authCode.used) {
      throw new errors.AuthenticationError("Authorization code already used");
    }
    const session = await this.oidc.getAuthorizationSession({
      id: authCode.sessionId
    });
    if (!session) {
      throw new errors.NotFoundError("Invalid authorization session");
    }
    if (clientId && clientId !== session.clientId) {
      throw new errors.AuthenticationError("Client ID mismatch");
    }
    if (session.redirectUri !== redirectUri) {
      throw new errors.AuthenticationError("Redirect URI mismatch");
    }
    const requiresClientAuthentication = this.requiresClientAuthentication(
      session.clientId
    );
    if (!authenticatedClientId && requiresClientAuthentication) {
      throw new OidcError.OidcError(
        "invalid_client",
        "Client authentication required",
        401
      );
    }
    if (authenticatedClientId && authenticatedClientId !== session.clientId) {
      throw new errors.AuthenticationError(
        "Authorization code was not issued to this client"
      );
    }
    if (session.status !== "approved") {
      throw new errors.AuthenticationError("Authorization not approved");
    }
    if (!session.userEntityRef) {
      throw new errors.AuthenticationError("No user associated with authorization");
    }
    if (!codeVerifier) {
      throw new errors.AuthenticationError("Code verifier required for PKCE");
    }
    if (!session.codeChallenge || !this.verifyPkce({
      codeChallenge: session.codeChallenge,
      codeVerifier,
      method: session.codeChallengeMethod
    })) {
      throw new errors.AuthenticationError("Invalid code verifier");
    }
    if (!clientId) {
      this.logger.warn(
        "Authorization-code exchange without client_id is deprecated and will be rejected in a future release. Update the client to include client_id."
      );
    }
    await this.oidc.updateAuthorizationCode({
      code,
      used: true
    });
    const { token } = await this.tokenIssuer.issueToken({
      claims: {
        sub: session.userEntityRef
      }
    });
    let refreshToken;
    const scopes = session.scope?.split(" ") ?? [];
    if (scopes.includes("offline_access") && this.offlineAccess) {
      try {
        refreshToken = await this.offlineAccess.issueRefreshToken({
          userEntityRef: session.userEntityRef,
          oidcClientId: session.clientId
        });
      } catch (err) {
        this.logger.warn(
          `Failed to issue refresh token for user ${session.userEntityRef}, offline_access will not be available: ${err}`
        );
      }
    }
    return {
      accessToken: token,
      tokenType: "Bearer",
      expiresIn: this.tokenExpirationSeconds,
      idToken: token,
      scope: session.scope || "openid",
      refreshToken
    };
  }
  async refreshAccessToken(params) {
    if (!this.offlineAccess) {
      throw new errors.InputError("Refresh tokens are not enabled");
    }
    const { accessToken, refreshToken } = await this.offlineAccess.refreshAccessToken({
      refreshToken: params.refreshToken,
      tokenIssuer: this.tokenIssuer,
      clientId: params.clientId,
      isClientAuthenticationRequired: (clientId) => {
        const required = this.requiresClientAuthentication(clientId);
        return required && params.authenticatedClientId !== clientId;
      }
    });
    return {
      accessToken,
      tokenType: "Bearer",
      expiresIn: this.tokenExpirationSeconds,
      refreshToken
    };
  }
  /**
   * Verifies the credentials of a configured confidential client.
   */
  async verifyClientCredentials(options) {
    const { clientId, clientSecret } = options;
    const staticClient = this.staticClients.get(clientId);
    if (!staticClient?.clientSecret) {
      return false;
    }
    return safeEqual(staticClient.clientSecret, clientSecret);
  }
  requiresClientAuthentication(clientId) {
    const staticClient = this.staticClients.get(clientId);
    if (staticClient) {
      return !!staticClient.clientSecret;
    }
    try {
      CimdClient.validateCimdUrl(clientId);
      return false;
    } catch {
      throw new errors.AuthenticationError("Client is no longer registered");
    }
  }
  /**
   * Confidential static clients must present a valid secret for revocation.
   * Public static clients and CIMD clients use their client ID alone. CIMD
   * metadata is not fetched, so tokens can still be revoked when the document
   * is unreachable or has been removed.
   */
  async verifyRevocationClient(options) {
    const { clientId, clientSecret } = options;
    const staticClient = this.staticClients.get(clientId);
    if (staticClient) {
      return !staticClient.clientSecret || !!clientSecret && safeEqual(staticClient.clientSecret, clientSecret);
    }
    let cimdUrl;
    try {
      cimdUrl = CimdClient.validateCimdUrl(clientId);
    } catch {
      return false;
    }
    const cimd = this.getCimdConfig();
    return cimd.enabled && cimd.allowedClientIdPatterns.some(
      (pattern) => createUrlPatternMatcher(pattern)(cimdUrl)
    );
  }
  /**
   * Revoke a refresh token if offline access is enabled
   */
  async revokeRefreshToken(token) {
    if (!this.offlineAccess) {
      return;
    }
    await this.offlineAccess.revokeRefreshToken(token);
  }
  verifyPkce(opts) {
    if (opts.method === "S256") {
      const hash = crypto__default.default.createHash("sha256").update(opts.codeVerifier).digest("base64url");
      return opts.codeChallenge === hash;
    }
    return false;
  }
}

exports.OidcService = OidcService;
