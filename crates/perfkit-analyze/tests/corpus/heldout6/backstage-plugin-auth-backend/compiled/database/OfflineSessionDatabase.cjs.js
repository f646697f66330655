'use strict';

var luxon = require('luxon');

const TABLE_NAME = "offline_sessions";
class OfflineSessionDatabase {
  #knex;
  #tokenLifetimeSeconds;
  #maxRotationLifetimeSeconds;
  #maxTokensPerUser;
  static create(options) {
    return new OfflineSessionDatabase(
      options.knex,
      options.tokenLifetimeSeconds,
      options.maxRotationLifetimeSeconds,
      options.maxTokensPerUser
    );
  }
  constructor(knex, tokenLifetimeSeconds, maxRotationLifetimeSeconds, maxTokensPerUser) {
    this.#knex = knex;
    this.#tokenLifetimeSeconds = tokenLifetimeSeconds;
    this.#maxRotationLifetimeSeconds = maxRotationLifetimeSeconds;
    this.#maxTokensPerUser = maxTokensPerUser;
  }
  /**
   * Create a new offline session
   * Automatically enforces per-user and per-client limits
   */
  async createSession(options) {
    const { id, userEntityRef, oidcClientId, tokenHash } = options;
    await this.#knex.transaction(async (trx) => {
      if (oidcClientId) {
        await trx(TABLE_NAME).where("oidc_client_id", oidcClientId).andWhere("user_entity_ref", userEntityRef).delete();
      }
      const userSessions = await trx(TABLE_NAME).where("user_entity_ref", userEntityRef).select("id", "last_used_at").orderBy("last_used_at", "asc").orderBy("id", "asc");
      const tokensToDelete = userSessions.length - (this.#maxTokensPerUser - 1);
      if (tokensToDelete > 0) {
        const idsToDelete = userSessions.slice(0, tokensToDelete).map((s) => s.id);
        await trx(TABLE_NAME).whereIn("id", idsToDelete).delete();
      }
      await trx(TABLE_NAME).insert({
        id,
        user_entity_ref: userEntityRef,
        oidc_client_id: oidcClientId ?? null,
        token_hash: tokenHash,
        created_at: trx.fn.now(),
        last_used_at: trx.fn.now()
      });
    });
    const session = await this.getSessionById(id);
    if (!session) {
      throw new Error("Failed to create session");
    }
    return session;
  }
  /**
   * Get a session by its ID without expiration filtering
   * Used for internal operations that need to check expiration explicitly
   */
  async getSessionById(id) {
    const row = await this.#knex(TABLE_NAME).where("id", id).first();
    if (!row) {
      return void 0;
    }
    return this.#mapRow(row);
  }
  /**
   * Get a session and rotate its token atomically
   * This prevents race conditions where multiple refresh requests use the same token
   */
  async getAndRotateToken(id, expectedTokenHash, newTokenHash) {
    const now = luxon.DateTime.utc();
    const tokenLifetimeThreshold = now.minus({ seconds: this.#tokenLifetimeSeconds }).toJSDate();
    const maxRotationThreshold = now.minus({ seconds: this.#maxRotationLifetimeSeconds }).toJSDate();
    return await this.#knex.transaction(async (trx) => {
      const row = await trx(TABLE_NAME).where("id", id).where("token_hash", expectedTokenHash).where("last_used_at", ">=", tokenLifetimeThreshold).where("created_at", ">=", maxRotationThreshold).forUpdate().first();
      if (!row) {
        return void 0;
      }
      await trx(TABLE_NAME).where("id", id).update({
        token_hash: newTokenHash,
        last_used_at: trx.fn.now()
      });
      return this.#mapRow(row);
    });
  }
  /**
   * Delete a session by ID
   */
  async deleteSession(id) {
    return await this.#knex(TABLE_NAME).where("id", id).delete();
  }
  /**
   * Delete all sessions for a user entity ref
   */
  async deleteSessionsByUserEntityRef(userEntityRef) {
    return await this.#knex(TABLE_NAME).where("user_entity_ref", userEntityRef).delete();
  }
  /**
   * Cleanup expired sessions based on both time windows
   * - Short window: last_used_at + tokenLifetime
   * - Long window: created_at + maxRotationLifetime
   */
  async cleanupExpiredSessions() {
    const now = luxon.DateTime.utc();
    const tokenLifetimeThreshold = now.minus({ seconds: this.#tokenLifetimeSeconds }).toJSDate();
    const maxRotationThreshold = now.minus({ seconds: this.#maxRotationLifetimeSeconds }).toJSDate();
    return await this.#knex(TABLE_NAME).where("last_used_at", "<", tokenLifetimeThreshold).orWhere("created_at", "<", maxRotationThreshold).delete();
  }
  /**
   * Check if a session is expired based on both time windows
   */
  isSessionExpired(session) {
    const now = luxon.DateTime.utc();
    const lastUsedExpiry = luxon.DateTime.fromJSDate(session.lastUsedAt).plus({
      seconds: this.#tokenLifetimeSeconds
    });
    const createdExpiry = luxon.DateTime.fromJSDate(session.createdAt).plus({
      seconds: this.#maxRotationLifetimeSeconds
    });
    return now > lastUsedExpiry || now > createdExpiry;
  }
  #mapRow(row) {
    return {
      id: row.id,
      userEntityRef: row.user_entity_ref,
      oidcClientId: row.oidc_client_id,
      tokenHash: row.token_hash,
      createdAt: new Date(row.created_at),
      lastUsedAt: new Date(row.last_used_at)
    };
  }
}

exports.OfflineSessionDatabase = OfflineSessionDatabase;
