'use strict';

var errors = require('@backstage/errors');
var config = require('@backstage/config');
var types = require('@backstage/types');
var crypto = require('node:crypto');
var OfflineSessionDatabase = require('../database/OfflineSessionDatabase.cjs.js');
var refreshToken = require('../lib/refreshToken.cjs.js');
var OidcError = require('./OidcError.cjs.js');

class OfflineAccessService {
  #offlineSessionDb;
  #logger;
  #dangerouslyDisableCatalogPresenceCheck;
  #catalog;
  #auth;
  static async create(options) {
    const { config: config$1, database, logger, lifecycle } = options;
    const tokenLifetime = config$1.has(
      "auth.experimentalRefreshToken.tokenLifetime"
    ) ? config.readDurationFromConfig(config$1, {
      key: "auth.experimentalRefreshToken.tokenLifetime"
    }) : { days: 30 };
    const maxRotationLifetime = config$1.has(
      "auth.experimentalRefreshToken.maxRotationLifetime"
    ) ? config.readDurationFromConfig(config$1, {
      key: "auth.experimentalRefreshToken.maxRotationLifetime"
    }) : { years: 1 };
    const tokenLifetimeSeconds = Math.floor(
      types.durationToMilliseconds(tokenLifetime) / 1e3
    );
    const maxRotationLifetimeSeconds = Math.floor(
      types.durationToMilliseconds(maxRotationLifetime) / 1e3
    );
    if (tokenLifetimeSeconds <= 0) {
      throw new Error(
        "auth.experimentalRefreshToken.tokenLifetime must be a positive duration"
      );
    }
    if (maxRotationLifetimeSeconds <= 0) {
      throw new Error(
        "auth.experimentalRefreshToken.maxRotationLifetime must be a positive duration"
      );
    }
    if (maxRotationLifetimeSeconds <= tokenLifetimeSeconds) {
      throw new Error(
        "auth.experimentalRefreshToken.maxRotationLifetime must be greater than tokenLifetime"
      );
    }
    const maxTokensPerUser = config$1.getOptionalNumber(
      "auth.experimentalRefreshToken.maxTokensPerUser"
    ) ?? 20;
    if (maxTokensPerUser <= 0) {
      throw new Error(
        "auth.experimentalRefreshToken.maxTokensPerUser must be a positive number"
      );
    }
    const dangerouslyDisableCatalogPresenceCheck = config$1.getOptionalBoolean(
      "auth.experimentalRefreshToken.dangerouslyDisableCatalogPresenceCheck"
    ) ?? false;
    const knex = await database.getClient();
    if (knex.client.config.client.includes("sqlite") || knex.client.config.client.includes("better-sqlite")) {
      logger.warn(
        "Refresh tokens are enabled with SQLite, which does not support row-level locking. Concurrent token rotation may not be fully protected against race conditions. Use PostgreSQL for production deployments."
      );
    }
    const offlineSessionDb = OfflineSessionDatabase.OfflineSessionDatabase.create({
      knex,
      tokenLifetimeSeconds,
      maxRotationLifetimeSeconds,
      maxTokensPerUser
    });
    const cleanupIntervalMs = 60 * 60 * 1e3;
    const cleanupInterval = setInterval(async () => {
      try {
        const deleted = await offlineSessionDb.cleanupExpiredSessions();
        if (deleted > 0) {
          logger.info(`Cleaned up ${deleted} expired offline sessions`);
        }
      } catch (error) {
        logger.error("Failed to cleanup expired offline sessions", error);
      }
    }, cleanupIntervalMs);
    cleanupInterval.unref();
    lifecycle.addShutdownHook(() => {
      clearInterval(cleanupInterval);
    });
    return new OfflineAccessService(
      offlineSessionDb,
      logger,
      dangerouslyDisableCatalogPresenceCheck,
      options.catalog,
      options.auth
    );
  }
  constructor(offlineSessionDb, logger, dangerouslyDisableCatalogPresenceCheck, catalog, auth) {
    this.#offlineSessionDb = offlineSessionDb;
    this.#logger = logger;
    this.#dangerouslyDisableCatalogPresenceCheck = dangerouslyDisableCatalogPresenceCheck;
    this.#catalog = catalog;
    this.#auth = auth;
  }
  /**
   * Issue a new refresh token for a user
   */
  async issueRefreshToken(options) {
    const { userEntityRef, oidcClientId } = options;
    const sessionId = crypto.randomUUID();
    const { token, hash } = await refreshToken.generateRefreshToken(sessionId);
    await this.#offlineSessionDb.createSession({
      id: sessionId,
      userEntityRef,
      oidcClientId,
      tokenHash: hash
    });
    this.#logger.debug(
      `Issued refresh token for user ${userEntityRef} with session ${sessionId}`
    );
    return token;
  }
  /**
   * Refresh an access token using a refresh token
   */
  async refreshAccessToken(options) {
    const {
      refreshToken: refreshToken$1,
      tokenIssuer,
      clientId,
      isClientAuthenticationRequired
    } = options;
    let sessionId;
    try {
      sessionId = refreshToken.getRefreshTokenId(refreshToken$1);
    } catch (error) {
      this.#logger.debug("Failed to extract refresh token ID", error);
      throw new errors.AuthenticationError("Invalid refresh token format");
    }
    const session = await this.#offlineSessionDb.getSessionById(sessionId);
    if (!session) {
      throw new errors.AuthenticationError("Invalid refresh token");
    }
    if (this.#offlineSessionDb.isSessionExpired(session)) {
      await this.#offlineSessionDb.deleteSession(sessionId);
      throw new errors.AuthenticationError("Invalid refresh token");
    }
    if (clientId && session.oidcClientId && clientId !== session.oidcClientId) {
      throw new errors.AuthenticationError(
        "Refresh token was not issued to this client"
      );
    }
    if (session.oidcClientId && isClientAuthenticationRequired?.(session.oidcClientId)) {
      throw new OidcError.OidcError(
        "invalid_client",
        "Client authentication required",
        401
      );
    }
    const isValid = await refreshToken.verifyRefreshToken(refreshToken$1, session.tokenHash);
    if (!isValid) {
      throw new errors.AuthenticationError("Invalid refresh token");
    }
    if (!this.#dangerouslyDisableCatalogPresenceCheck) {
      try {
        const entity = await this.#catalog.getEntityByRef(
          session.userEntityRef,
          { credentials: await this.#auth.getOwnServiceCredentials() }
        );
        if (!entity) {
          this.#logger.info(
            `Rejecting refresh for user ${session.userEntityRef} - catalog entity not found, revoking session ${sessionId}`
          );
          await this.#offlineSessionDb.deleteSession(sessionId);
          throw new errors.AuthenticationError(
            "User entity no longer exists in the catalog"
          );
        }
      } catch (error) {
        if (error.name === "AuthenticationError") {
          throw error;
        }
        this.#logger.warn(
          `Failed to validate catalog user existence for ${session.userEntityRef}, rejecting refresh`,
          error
        );
        throw new errors.AuthenticationError("Unable to validate user existence");
      }
    }
    const { token: newRefreshToken, hash: newHash } = await refreshToken.generateRefreshToken(sessionId);
    const rotatedSession = await this.#offlineSessionDb.getAndRotateToken(
      sessionId,
      session.tokenHash,
      newHash
    );
    if (!rotatedSession) {
      throw new errors.AuthenticationError("Invalid refresh token");
    }
    const { token: accessToken } = await tokenIssuer.issueToken({
      claims: {
        sub: rotatedSession.userEntityRef
      }
    });
    this.#logger.debug(
      `Refreshed access token for user ${session.userEntityRef} with session ${sessionId}`
    );
    return { accessToken, refreshToken: newRefreshToken };
  }
  /**
   * Revoke a refresh token
   */
  async revokeRefreshToken(refreshToken$1) {
    try {
      const sessionId = refreshToken.getRefreshTokenId(refreshToken$1);
      await this.#offlineSessionDb.deleteSession(sessionId);
      this.#logger.debug(`Revoked refresh token with session ${sessionId}`);
    } catch (error) {
      this.#logger.debug("Failed to revoke refresh token", error);
    }
  }
  /**
   * Revoke all refresh tokens for a user
   *
   * @returns The number of revoked refresh tokens
   */
  async revokeRefreshTokensByUserEntityRef(userEntityRef) {
    const deletedCount = await this.#offlineSessionDb.deleteSessionsByUserEntityRef(userEntityRef);
    this.#logger.debug(
      `Revoked ${deletedCount} refresh tokens for user ${userEntityRef}`
    );
    return deletedCount;
  }
}

exports.OfflineAccessService = OfflineAccessService;
