'use strict';

var catalogModel = require('@backstage/catalog-model');
var errors = require('@backstage/errors');
var conversion = require('./conversion.cjs.js');
var metrics = require('./metrics.cjs.js');
var checkLocationKeyConflict = require('./operations/refreshState/checkLocationKeyConflict.cjs.js');
var insertUnprocessedEntity = require('./operations/refreshState/insertUnprocessedEntity.cjs.js');
var updateUnprocessedEntity = require('./operations/refreshState/updateUnprocessedEntity.cjs.js');
var util = require('./util.cjs.js');
var syncRelations = require('./operations/relations/syncRelations.cjs.js');
var luxon = require('luxon');
var constants = require('../constants.cjs.js');

const BATCH_SIZE = 50;
class DefaultProcessingDatabase {
  options;
  constructor(options) {
    this.options = options;
    metrics.initDatabaseMetrics(options.database, options.metrics);
  }
  async updateProcessedEntity(txOpaque, options) {
    const tx = txOpaque;
    const {
      id,
      processedEntity,
      resultHash,
      errors: errors$1,
      relations,
      deferredEntities,
      refreshKeys,
      locationKey
    } = options;
    const refreshResult = await tx("refresh_state").update({
      processed_entity: JSON.stringify(processedEntity),
      result_hash: resultHash,
      errors: errors$1,
      location_key: locationKey
    }).where("entity_id", id).andWhere((inner) => {
      if (!locationKey) {
        return inner.whereNull("location_key");
      }
      return inner.where("location_key", locationKey).orWhereNull("location_key");
    });
    if (refreshResult === 0) {
      throw new errors.ConflictError(
        `Conflicting write of processing result for ${id} with location key '${locationKey}'`
      );
    }
    const sourceEntityRef = catalogModel.stringifyEntityRef(processedEntity);
    await this.addUnprocessedEntities(tx, {
      entities: deferredEntities,
      sourceEntityRef
    });
    const relationRows = relations.map(
      ({ source, target, type }) => ({
        originating_entity_id: id,
        source_entity_ref: catalogModel.stringifyEntityRef(source),
        target_entity_ref: catalogModel.stringifyEntityRef(target),
        type
      })
    );
    const relationsResult = await syncRelations.syncRelations(tx, id, relationRows);
    await tx("refresh_keys").where({ entity_id: id }).delete();
    await tx.batchInsert(
      "refresh_keys",
      refreshKeys.map((k) => ({
        entity_id: id,
        key: util.generateTargetKey(k.key)
      })),
      BATCH_SIZE
    );
    return {
      relationsChange: relationsResult
    };
  }
  async updateProcessedEntityErrors(txOpaque, options) {
    const tx = txOpaque;
    const { id, errors, resultHash } = options;
    await tx("refresh_state").update({
      errors,
      result_hash: resultHash
    }).where("entity_id", id);
  }
  async updateEntityCache(txOpaque, options) {
    const tx = txOpaque;
    const { id, state } = options;
    await tx("refresh_state").update({ cache: JSON.stringify(state ?? {}) }).where("entity_id", id);
  }
  async getProcessableEntities(maybeTx, request) {
    const knex = maybeTx;
    const useLocking = ["mysql", "mysql2", "pg"].includes(
      knex.client.config.client
    );
    const interval = this.options.refreshInterval();
    const nextUpdateAt = (tx, refreshInterval) => {
      if (tx.client.config.client.includes("sqlite3")) {
        return tx.raw(`datetime('now', ?)`, [`${refreshInterval} seconds`]);
      } else if (tx.client.config.client.includes("mysql")) {
        return tx.raw(`now() + interval ${refreshInterval} second`);
      }
      return tx.raw(`now() + interval '${refreshInterval} seconds'`);
    };
    const run = async (tx) => {
      const items2 = await tx("refresh_state").select([
        "entity_id",
        "entity_ref",
        "unprocessed_entity",
        "result_hash",
        "cache",
        "errors",
        "location_key",
        "next_update_at"
      ]).where("next_update_at", "<=", tx.fn.now()).limit(request.processBatchSize).orderBy("next_update_at", "asc").modify((qb) => {
        if (useLocking) {
          qb.forUpdate().skipLocked();
        }
      });
      if (items2.length > 0) {
        await tx("refresh_state").where(
          util.whereInArray(
            "entity_ref",
            items2.map((i) => i.entity_ref)
          )
        ).update({
          next_update_at: nextUpdateAt(tx, interval)
        });
      }
      return items2;
    };
    const items = knex.isTransaction || !useLocking ? await run(knex) : await knex.transaction(run);
    return {
      items: items.map(
        (i) => ({
          id: i.entity_id,
          entityRef: i.entity_ref,
          unprocessedEntity: JSON.parse(i.unprocessed_entity),
          resultHash: i.result_hash || "",
          nextUpdateAt: conversion.timestampToDateTime(i.next_update_at),
          state: i.cache ? JSON.parse(i.cache) : void 0,
          errors: i.errors,
          locationKey: i.location_key
        })
      )
    };
  }
  async listParents(txOpaque, options) {
    const tx = txOpaque;
    const rows = await tx(
      "refresh_state_references"
    ).whereIn("target_entity_ref", options.entityRefs).select();
    const entityRefs = rows.map((r) => r.source_entity_ref).filter(Boolean);
    return { entityRefs };
  }
  async transaction(fn) {
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
  }
  /**
   * Add a set of deferred entities for processing.
   * The entities will be added at the front of the processing queue.
   */
  async addUnprocessedEntities(txOpaque, options) {
    const tx = txOpaque;
    const stateReferences = new Array();
    for (const { entity, locationKey } of options.entities) {
      const entityRef = catalogModel.stringifyEntityRef(entity);
      const hash = util.generateStableHash(entity);
      const updated = await updateUnprocessedEntity.updateUnprocessedEntity({
        tx,
        entity,
        hash,
        locationKey
      });
      if (updated) {
        stateReferences.push(entityRef);
        continue;
      }
      const inserted = await insertUnprocessedEntity.insertUnprocessedEntity({
        tx,
        entity,
        hash,
        locationKey,
        logger: this.options.logger
      });
      if (inserted) {
        stateReferences.push(entityRef);
        continue;
      }
      const conflictingKey = await checkLocationKeyConflict.checkLocationKeyConflict({
        tx,
        entityRef,
        locationKey
      });
      if (conflictingKey) {
        this.options.logger.warn(
          `Detected conflicting entityRef ${entityRef} already referenced by ${conflictingKey} and now also ${locationKey}`
        );
        if (locationKey) {
          const eventParams = {
            topic: constants.CATALOG_CONFLICTS_TOPIC,
            eventPayload: {
              unprocessedEntity: entity,
              entityRef,
              newLocationKey: locationKey,
              existingLocationKey: conflictingKey,
              lastConflictAt: luxon.DateTime.now().toISO()
            }
          };
          await this.options.events.publish(eventParams);
        }
      }
    }
    await tx("refresh_state_references").where({ source_entity_ref: options.sourceEntityRef }).orWhereIn("target_entity_ref", stateReferences).delete();
    await tx.batchInsert(
      "refresh_state_references",
      stateReferences.map((entityRef) => ({
        source_entity_ref: options.sourceEntityRef,
        target_entity_ref: entityRef
      })),
      BATCH_SIZE
    );
  }
}

exports.DefaultProcessingDatabase = DefaultProcessingDatabase;
