'use strict';

var catalogModel = require('@backstage/catalog-model');
var lodash = require('lodash');
var node_crypto = require('node:crypto');
var node_perf_hooks = require('node:perf_hooks');
var promises = require('node:timers/promises');
var conversion = require('./conversion.cjs.js');
var deleteWithEagerPruningOfChildren = require('./operations/provider/deleteWithEagerPruningOfChildren.cjs.js');
var refreshByRefreshKeys = require('./operations/provider/refreshByRefreshKeys.cjs.js');
var checkLocationKeyConflict = require('./operations/refreshState/checkLocationKeyConflict.cjs.js');
var insertUnprocessedEntity = require('./operations/refreshState/insertUnprocessedEntity.cjs.js');
var updateUnprocessedEntity = require('./operations/refreshState/updateUnprocessedEntity.cjs.js');
var util = require('./util.cjs.js');
var backendPluginApi = require('@backstage/backend-plugin-api');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var lodash__default = /*#__PURE__*/_interopDefaultCompat(lodash);

const BATCH_SIZE = 50;
const PREPARATION_TIME_SLICE_MS = 3;
async function forEachWithYield(items, fn) {
  let sliceStart = node_perf_hooks.performance.now();
  for (let index = 0; index < items.length; index++) {
    fn(items[index], index);
    if (index + 1 < items.length && node_perf_hooks.performance.now() - sliceStart >= PREPARATION_TIME_SLICE_MS) {
      await promises.setImmediate();
      sliceStart = node_perf_hooks.performance.now();
    }
  }
}
async function prepareDeferredEntities(items) {
  const prepared = new Array();
  await forEachWithYield(items, (deferred) => {
    const entityRef = catalogModel.stringifyEntityRef(deferred.entity);
    const hash = util.generateStableHash(deferred.entity);
    prepared.push({ deferred, entityRef, hash });
  });
  return prepared;
}
async function prepareRemovedEntities(items) {
  const prepared = new Array();
  let sliceStart = node_perf_hooks.performance.now();
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if ("entityRef" in item) {
      prepared.push(item);
      continue;
    }
    prepared.push({
      entityRef: catalogModel.stringifyEntityRef(item.entity),
      locationKey: item.locationKey
    });
    if (index + 1 < items.length && node_perf_hooks.performance.now() - sliceStart >= PREPARATION_TIME_SLICE_MS) {
      await promises.setImmediate();
      sliceStart = node_perf_hooks.performance.now();
    }
  }
  return prepared;
}
class DefaultProviderDatabase {
  options;
  constructor(options) {
    this.options = options;
  }
  async prepareUnprocessedEntities(options) {
    if (options.type === "full") {
      return {
        ...options,
        preparedItems: await prepareDeferredEntities(options.items)
      };
    }
    return {
      ...options,
      removed: await prepareRemovedEntities(options.removed),
      preparedItems: await prepareDeferredEntities(options.added)
    };
  }
  /**
   * Executes `fn` inside a database transaction, retrying automatically on
   * deadlock (PostgreSQL error 40P01). Because the callback may be invoked
   * more than once, it must not perform non-database side effects such as
   * emitting events, mutating in-memory state, or calling external services.
   */
  async transaction(fn) {
    return util.retryOnDeadlock(async () => {
      try {
        let result = void 0;
        await this.options.database.transaction(
          async (tx) => {
            result = await fn(tx);
          },
          {
            // If we explicitly trigger a rollback, don't fail.
            doNotRejectOnRollback: true
          }
        );
        return result;
      } catch (e) {
        this.options.logger.debug(`Error during transaction, ${e}`);
        throw conversion.rethrowError(e);
      }
    }, this.options.database);
  }
  async replaceUnprocessedEntities(txOpaque, options) {
    const tx = txOpaque;
    const { toAdd, toUpsert, toRemove } = await this.createDelta(tx, options);
    if (toRemove.length) {
      const removedCount = await deleteWithEagerPruningOfChildren.deleteWithEagerPruningOfChildren({
        knex: tx,
        entityRefs: toRemove,
        sourceKey: options.sourceKey
      });
      this.options.logger.debug(
        `removed, ${removedCount} entities: ${JSON.stringify(toRemove)}`
      );
    }
    if (toAdd.length) {
      for (const chunk of lodash__default.default.chunk(toAdd, 50)) {
        try {
          await tx.batchInsert(
            "refresh_state",
            chunk.map((item) => ({
              entity_id: node_crypto.randomUUID(),
              entity_ref: item.entityRef,
              unprocessed_entity: JSON.stringify(item.deferred.entity),
              unprocessed_hash: item.hash,
              errors: "",
              location_key: item.deferred.locationKey,
              next_update_at: tx.fn.now(),
              last_discovery_at: tx.fn.now()
            })),
            BATCH_SIZE
          );
          await tx.batchInsert(
            "refresh_state_references",
            chunk.map((item) => ({
              source_key: options.sourceKey,
              target_entity_ref: item.entityRef
            })),
            BATCH_SIZE
          );
        } catch (error) {
          if (!backendPluginApi.isDatabaseConflictError(error)) {
            throw error;
          } else {
            this.options.logger.debug(
              `Fast insert path failed, falling back to slow path, ${error}`
            );
            toUpsert.push(...chunk);
          }
        }
      }
    }
    if (toUpsert.length) {
      for (const {
        deferred: { entity, locationKey },
        entityRef,
        hash
      } of toUpsert) {
        try {
          let ok = await updateUnprocessedEntity.updateUnprocessedEntity({
            tx,
            entity,
            entityRef,
            hash,
            locationKey
          });
          if (!ok) {
            ok = await insertUnprocessedEntity.insertUnprocessedEntity({
              tx,
              entity,
              entityRef,
              hash,
              locationKey,
              logger: this.options.logger
            });
          }
          if (ok) {
            await tx("refresh_state_references").where("target_entity_ref", entityRef).delete();
            await tx(
              "refresh_state_references"
            ).insert({
              source_key: options.sourceKey,
              target_entity_ref: entityRef
            });
          } else {
            await tx("refresh_state_references").where("target_entity_ref", entityRef).andWhere({ source_key: options.sourceKey }).delete();
            const conflictingKey = await checkLocationKeyConflict.checkLocationKeyConflict({
              tx,
              entityRef,
              locationKey
            });
            if (conflictingKey) {
              this.options.logger.warn(
                `Source ${options.sourceKey} detected conflicting entityRef ${entityRef} already referenced by ${conflictingKey} and now also ${locationKey}`
              );
            }
          }
        } catch (error) {
          if (util.isDeadlockError(tx, error)) {
            throw error;
          }
          this.options.logger.error(
            `Failed to add '${entityRef}' from source '${options.sourceKey}', ${error}`
          );
        }
      }
    }
  }
  async listReferenceSourceKeys(txOpaque) {
    const tx = txOpaque;
    const rows = await tx(
      "refresh_state_references"
    ).distinct("source_key").whereNotNull("source_key");
    return rows.map((row) => row.source_key).filter((key) => !!key);
  }
  async refreshByRefreshKeys(txOpaque, options) {
    const tx = txOpaque;
    await refreshByRefreshKeys.refreshByRefreshKeys({ tx, keys: options.keys });
  }
  async createDelta(tx, options) {
    if (options.type === "delta") {
      const toAdd2 = new Array();
      const toUpsert2 = new Array();
      const toRemove2 = options.removed.map((e) => e.entityRef);
      const prepared = options.preparedItems ?? await prepareDeferredEntities(options.added);
      for (const chunk of lodash__default.default.chunk(prepared, 1e3)) {
        const entityRefs = chunk.map((item) => item.entityRef);
        const rows = await tx("refresh_state").select(["entity_ref", "unprocessed_hash", "location_key"]).where(util.whereInArray("entity_ref", entityRefs));
        const oldStates = new Map(
          rows.map((row) => [
            row.entity_ref,
            {
              unprocessed_hash: row.unprocessed_hash,
              location_key: row.location_key
            }
          ])
        );
        for (const item of chunk) {
          const { deferred, entityRef, hash } = item;
          const oldState = oldStates.get(entityRef);
          if (oldState === void 0) {
            toAdd2.push(item);
          } else if ((deferred.locationKey ?? null) !== (oldState.location_key ?? null)) {
            toRemove2.push(entityRef);
            toAdd2.push(item);
          } else if (hash !== oldState.unprocessed_hash) {
            toUpsert2.push(item);
          }
        }
      }
      return { toAdd: toAdd2, toUpsert: toUpsert2, toRemove: toRemove2 };
    }
    const items = options.preparedItems ?? await prepareDeferredEntities(options.items);
    const newRefsSet = /* @__PURE__ */ new Set();
    for (const item of items) {
      newRefsSet.add(item.entityRef);
    }
    const oldRefs = await tx(
      "refresh_state_references"
    ).leftJoin("refresh_state", {
      target_entity_ref: "entity_ref"
    }).where({ source_key: options.sourceKey }).select({
      target_entity_ref: "refresh_state_references.target_entity_ref",
      location_key: "refresh_state.location_key",
      unprocessed_hash: "refresh_state.unprocessed_hash"
    });
    const oldRefsSet = new Map(
      oldRefs.map((r) => [
        r.target_entity_ref,
        {
          locationKey: r.location_key,
          oldEntityHash: r.unprocessed_hash
        }
      ])
    );
    const toAdd = new Array();
    const toUpsert = new Array();
    const toRemove = oldRefs.map((row) => row.target_entity_ref).filter((ref) => !newRefsSet.has(ref));
    for (const item of items) {
      const oldRef = oldRefsSet.get(item.entityRef);
      if (!oldRef) {
        toAdd.push(item);
      } else if ((oldRef.locationKey ?? void 0) !== (item.deferred.locationKey ?? void 0)) {
        toRemove.push(item.entityRef);
        toAdd.push(item);
      } else if (oldRef.oldEntityHash !== item.hash) {
        toUpsert.push(item);
      }
    }
    return { toAdd, toUpsert, toRemove };
  }
}

exports.DefaultProviderDatabase = DefaultProviderDatabase;
