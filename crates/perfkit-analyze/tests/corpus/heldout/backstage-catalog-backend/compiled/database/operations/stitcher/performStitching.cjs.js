'use strict';

var catalogClient = require('@backstage/catalog-client');
var catalogModel = require('@backstage/catalog-model');
var node_crypto = require('node:crypto');
var stableStringify = require('fast-json-stable-stringify');
var buildEntitySearch = require('./buildEntitySearch.cjs.js');
var markDeferredStitchCompleted = require('./markDeferredStitchCompleted.cjs.js');
var markDeferredStitchFailed = require('./markDeferredStitchFailed.cjs.js');
var syncSearchRows = require('./syncSearchRows.cjs.js');
var util = require('../../util.cjs.js');
var assignGeneration = require('./assignGeneration.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var stableStringify__default = /*#__PURE__*/_interopDefaultCompat(stableStringify);

class StitchPublicationSupersededError extends Error {
}
function generateStableHash(entity) {
  return node_crypto.createHash("sha1").update(stableStringify__default.default({ ...entity })).digest("hex");
}
const scriptProtocolPattern = (
  // eslint-disable-next-line no-control-regex
  /^[\u0000-\u001F ]*j[\r\n\t]*a[\r\n\t]*v[\r\n\t]*a[\r\n\t]*s[\r\n\t]*c[\r\n\t]*r[\r\n\t]*i[\r\n\t]*p[\r\n\t]*t[\r\n\t]*\:/i
);
async function performStitching(options) {
  const { knex, logger, entityRef, stitchTicket, stitchLeaseExpiresAt } = options;
  if (knex.isTransaction) {
    throw new Error("Stitch publication requires a root database connection");
  }
  let stitchResult;
  try {
    const [processedResult, relationsResult] = await Promise.all([
      knex.with("incoming_references", function incomingReferences(builder) {
        return builder.from("refresh_state_references").where({ target_entity_ref: entityRef }).count({ count: "*" });
      }).select({
        entityId: "refresh_state.entity_id",
        processedEntity: "refresh_state.processed_entity",
        errors: "refresh_state.errors",
        incomingReferenceCount: "incoming_references.count",
        previousHash: "final_entities.hash"
      }).from("refresh_state").where({ "refresh_state.entity_ref": entityRef }).crossJoin(knex.raw("incoming_references")).leftOuterJoin("final_entities", {
        "final_entities.entity_id": "refresh_state.entity_id"
      }),
      knex.distinct({
        relationType: "type",
        relationTarget: "target_entity_ref"
      }).from("relations").where({ source_entity_ref: entityRef }).orderBy("relationType", "asc").orderBy("relationTarget", "asc")
    ]);
    if (!processedResult.length) {
      logger.debug(
        `Unable to stitch ${entityRef}, item does not exist in refresh state table`
      );
      stitchResult = "abandoned";
      return "abandoned";
    }
    const {
      entityId,
      processedEntity,
      errors,
      incomingReferenceCount,
      previousHash
    } = processedResult[0];
    if (!processedEntity) {
      logger.debug(
        `Unable to stitch ${entityRef}, the entity has not yet been processed`
      );
      stitchResult = "abandoned";
      return "abandoned";
    }
    const entity = JSON.parse(processedEntity);
    const isOrphan = Number(incomingReferenceCount) === 0;
    let statusItems = [];
    if (isOrphan) {
      logger.debug(`${entityRef} is an orphan`);
      entity.metadata.annotations = {
        ...entity.metadata.annotations,
        ["backstage.io/orphan"]: "true"
      };
    }
    if (errors) {
      const parsedErrors = JSON.parse(errors);
      if (Array.isArray(parsedErrors) && parsedErrors.length) {
        statusItems = parsedErrors.map((e) => ({
          type: catalogClient.ENTITY_STATUS_CATALOG_PROCESSING_TYPE,
          level: "error",
          message: `${e.name}: ${e.message}`,
          error: e
        }));
      }
    }
    for (const annotation of [catalogModel.ANNOTATION_VIEW_URL, catalogModel.ANNOTATION_EDIT_URL]) {
      const value = entity.metadata.annotations?.[annotation];
      if (typeof value === "string" && scriptProtocolPattern.test(value)) {
        entity.metadata.annotations[annotation] = "https://backstage.io/annotation-rejected-for-security-reasons";
      }
    }
    entity.relations = relationsResult.filter(
      (row) => row.relationType
      /* exclude null row, if relevant */
    ).map((row) => ({
      type: row.relationType,
      targetRef: row.relationTarget
    }));
    if (statusItems.length) {
      entity.status = {
        ...entity.status,
        items: [...entity.status?.items ?? [], ...statusItems]
      };
    }
    const hash = generateStableHash(entity);
    if (hash === previousHash) {
      logger.debug(`Skipped stitching of ${entityRef}, no changes`);
      stitchResult = "succeeded";
      return "unchanged";
    }
    entity.metadata.uid = entityId;
    if (!entity.metadata.etag) {
      entity.metadata.etag = hash;
    }
    const searchEntries = buildEntitySearch.buildEntitySearch(entityId, entity);
    const isMySQL = String(knex.client.config.client).includes("mysql");
    const isPostgres = knex.client.config.client === "pg";
    const writeOutcome = await util.retryOnDeadlock(
      () => knex.transaction(async (tx) => {
        if (isPostgres) {
          const origin = await tx("refresh_state").where("entity_id", entityId).select("entity_id").forKeyShare().first();
          if (!origin) return "abandoned";
        }
        if (!isPostgres) {
          const ticketValid = await tx("stitch_queue").where("entity_ref", entityRef).where("stitch_ticket", stitchTicket).first();
          if (!ticketValid) return "abandoned";
        }
        let upsert = tx("final_entities").insert(
          !isPostgres ? {
            entity_id: entityId,
            entity_ref: entityRef,
            final_entity: JSON.stringify(entity),
            hash,
            last_updated_at: tx.fn.now()
          } : tx.raw(
            "(entity_id, entity_ref, final_entity, hash, last_updated_at) select ?, ?, ?, ?, CURRENT_TIMESTAMP where exists (select 1 from stitch_queue where entity_ref = ? and stitch_ticket = ?)",
            [
              entityId,
              entityRef,
              JSON.stringify(entity),
              hash,
              entityRef,
              stitchTicket
            ]
          )
        ).onConflict("entity_id").merge(["final_entity", "hash", "last_updated_at"]);
        if (!isMySQL) {
          upsert = upsert.where(
            tx.raw(
              "exists (select 1 from stitch_queue where entity_ref = ? and stitch_ticket = ?)",
              [entityRef, stitchTicket]
            )
          );
        }
        await upsert;
        if (!isMySQL) {
          const written = await tx("final_entities").where("entity_id", entityId).where("hash", hash).modify((qb) => {
            if (isPostgres) {
              qb.whereExists(
                tx("stitch_queue").select(tx.raw("1")).where("entity_ref", entityRef).where("stitch_ticket", stitchTicket).where("next_stitch_at", stitchLeaseExpiresAt)
              );
            }
          }).select(tx.raw("1")).first();
          if (!written) {
            throw new StitchPublicationSupersededError();
          }
        }
        await syncSearchRows.syncSearchRows(tx, entityId, searchEntries);
        if (!isPostgres) {
          await assignGeneration.assignGeneration(tx, entityId);
        }
        return "changed";
      }),
      knex
    ).catch((error) => {
      if (error instanceof StitchPublicationSupersededError) {
        return "abandoned";
      }
      throw error;
    });
    if (writeOutcome === "abandoned") {
      logger.debug(`Entity ${entityRef} is already stitched, skipping write.`);
      stitchResult = "abandoned";
      return "abandoned";
    }
    stitchResult = "succeeded";
    return "changed";
  } catch (error) {
    try {
      await markDeferredStitchFailed.markDeferredStitchFailed({
        knex,
        entityRef,
        stitchTicket,
        stitchLeaseExpiresAt
      });
    } catch (recordError) {
      logger.warn(
        `Failed to record stitch failure for ${entityRef}`,
        recordError
      );
    }
    throw error;
  } finally {
    if (stitchResult) {
      await markDeferredStitchCompleted.markDeferredStitchCompleted({
        knex,
        entityRef,
        stitchTicket,
        stitchLeaseExpiresAt
      });
    }
  }
}

exports.performStitching = performStitching;
