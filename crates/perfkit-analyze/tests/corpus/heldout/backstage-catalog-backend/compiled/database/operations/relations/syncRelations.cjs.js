'use strict';

var lodash = require('lodash');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var lodash__default = /*#__PURE__*/_interopDefaultCompat(lodash);

const BATCH_SIZE = 50;
function tripletKey(r) {
  return `${r.source_entity_ref}\0${r.type}\0${r.target_entity_ref}`;
}
async function syncRelations(knex, originatingEntityId, desired) {
  const client = knex.client.config.client;
  const deduped = lodash__default.default.uniqBy(desired, tripletKey);
  if (client === "pg") {
    return syncPostgres(knex, originatingEntityId, deduped);
  }
  return syncSimple(knex, originatingEntityId, deduped);
}
async function syncPostgres(knex, originatingEntityId, desired) {
  if (desired.length === 0) {
    const { rows: deleted2 } = await knex.raw(
      `DELETE FROM relations
       WHERE originating_entity_id = ?
       RETURNING source_entity_ref, type, target_entity_ref`,
      [originatingEntityId]
    );
    return { deleted: deleted2, inserted: [] };
  }
  const sources = [];
  const types = [];
  const targets = [];
  for (const r of desired) {
    sources.push(r.source_entity_ref);
    types.push(r.type);
    targets.push(r.target_entity_ref);
  }
  const { rows } = await knex.raw(
    `
    WITH desired AS (
      SELECT * FROM unnest(?::text[], ?::text[], ?::text[])
        AS t(source_entity_ref, type, target_entity_ref)
    ),
    deleted AS (
      DELETE FROM relations r
      WHERE r.originating_entity_id = ?
        AND NOT EXISTS (
          SELECT 1 FROM desired d
          WHERE d.source_entity_ref = r.source_entity_ref
            AND d.type = r.type
            AND d.target_entity_ref = r.target_entity_ref
        )
      RETURNING r.source_entity_ref, r.type, r.target_entity_ref
    ),
    inserted AS (
      INSERT INTO relations (originating_entity_id, source_entity_ref, type, target_entity_ref)
      SELECT ?, d.source_entity_ref, d.type, d.target_entity_ref
      FROM desired d
      WHERE NOT EXISTS (
        SELECT 1 FROM relations r
        WHERE r.originating_entity_id = ?
          AND r.source_entity_ref = d.source_entity_ref
          AND r.type = d.type
          AND r.target_entity_ref = d.target_entity_ref
      )
      RETURNING source_entity_ref, type, target_entity_ref
    )
    SELECT 'd' AS op, source_entity_ref, type, target_entity_ref FROM deleted
    UNION ALL
    SELECT 'i' AS op, source_entity_ref, type, target_entity_ref FROM inserted
    `,
    [
      sources,
      types,
      targets,
      originatingEntityId,
      originatingEntityId,
      originatingEntityId
    ]
  );
  const deleted = [];
  const inserted = [];
  for (const row of rows) {
    const triplet = {
      source_entity_ref: row.source_entity_ref,
      type: row.type,
      target_entity_ref: row.target_entity_ref
    };
    if (row.op === "d") {
      deleted.push(triplet);
    } else {
      inserted.push(triplet);
    }
  }
  return { deleted, inserted };
}
async function syncSimple(knex, originatingEntityId, desired) {
  const existing = await knex("relations").where({ originating_entity_id: originatingEntityId }).select(
    "source_entity_ref",
    "type",
    "target_entity_ref"
  );
  const existingSet = new Map(existing.map((r) => [tripletKey(r), r]));
  const desiredSet = new Map(desired.map((r) => [tripletKey(r), r]));
  const toDelete = [...existingSet.entries()].filter(([key]) => !desiredSet.has(key)).map(([, row]) => row);
  const toInsert = [...desiredSet.entries()].filter(([key]) => !existingSet.has(key)).map(([, row]) => row);
  if (toDelete.length > 0) {
    for (const chunk of lodash__default.default(toDelete).chunk(BATCH_SIZE).value()) {
      await knex("relations").where({ originating_entity_id: originatingEntityId }).andWhere(function matchChunk() {
        for (const r of chunk) {
          this.orWhere({
            source_entity_ref: r.source_entity_ref,
            type: r.type,
            target_entity_ref: r.target_entity_ref
          });
        }
      }).delete();
    }
  }
  if (toInsert.length > 0) {
    await knex.batchInsert(
      "relations",
      toInsert.map((r) => ({
        originating_entity_id: originatingEntityId,
        source_entity_ref: r.source_entity_ref,
        type: r.type,
        target_entity_ref: r.target_entity_ref
      })),
      BATCH_SIZE
    );
  }
  return {
    deleted: toDelete.map((r) => ({
      source_entity_ref: r.source_entity_ref,
      type: r.type,
      target_entity_ref: r.target_entity_ref
    })),
    inserted: toInsert.map((r) => ({
      source_entity_ref: r.source_entity_ref,
      type: r.type,
      target_entity_ref: r.target_entity_ref
    }))
  };
}

exports.syncRelations = syncRelations;
