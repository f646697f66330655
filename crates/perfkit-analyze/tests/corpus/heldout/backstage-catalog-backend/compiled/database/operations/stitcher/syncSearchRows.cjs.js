'use strict';

var util = require('./util.cjs.js');

function filterSentinelValues(entries) {
  return entries.filter(
    (r) => r.value !== util.NULL_SENTINEL && r.original_value !== util.NULL_SENTINEL
  );
}
async function syncSearchRows(knex, entityId, searchEntries) {
  const dedupMap = /* @__PURE__ */ new Map();
  for (const entry of searchEntries) {
    const k = `${entry.key}\0${entry.value === null ? util.NULL_SENTINEL : entry.value}`;
    if (!dedupMap.has(k)) {
      dedupMap.set(k, entry);
    }
  }
  const deduped = [...dedupMap.values()];
  const client = knex.client.config.client;
  if (client === "pg") {
    await syncPostgres(knex, entityId, deduped);
  } else if (client.includes("mysql")) {
    await syncMysql(knex, entityId, deduped);
  } else {
    await syncBulkReplace(knex, entityId, deduped);
  }
}
async function syncPostgres(knex, entityId, searchEntries) {
  const filtered = filterSentinelValues(searchEntries);
  const keys = filtered.map((r) => r.key);
  const values = filtered.map((r) => r.value);
  const originalValues = filtered.map((r) => r.original_value);
  await knex.raw(
    `
    WITH desired AS (
      SELECT *
      FROM unnest(?::text[], ?::text[], ?::text[])
        AS d(key, value, original_value)
    ),
    deleted AS (
      DELETE FROM "search" s
      WHERE s.entity_id = ?
        AND NOT EXISTS (
          SELECT 1 FROM desired d
          WHERE d.key = s.key
            AND COALESCE(d.value, chr(1)) = COALESCE(s.value, chr(1))
            AND COALESCE(d.original_value, chr(1)) = COALESCE(s.original_value, chr(1))
        )
    )
    INSERT INTO "search" (entity_id, key, value, original_value)
    SELECT ?, d.key, d.value, d.original_value
    FROM desired d
    WHERE NOT EXISTS (
      SELECT 1 FROM "search" s
      WHERE s.entity_id = ?
        AND s.key = d.key
        AND COALESCE(s.value, chr(1)) = COALESCE(d.value, chr(1))
        AND COALESCE(s.original_value, chr(1)) = COALESCE(d.original_value, chr(1))
    )
    ON CONFLICT (entity_id, key, value)
    DO UPDATE SET original_value = EXCLUDED.original_value
    `,
    [
      keys,
      // Knex's types don't include nullable PostgreSQL array parameters,
      // even though they are supported by the pg driver.
      values,
      originalValues,
      entityId,
      entityId,
      entityId
    ]
  );
}
async function syncMysql(knex, entityId, searchEntries) {
  await knex.raw(
    "CREATE TEMPORARY TABLE IF NOT EXISTS `_desired_search` (`key` VARCHAR(255) NOT NULL, `value` VARCHAR(255) NULL, `original_value` VARCHAR(255) NULL)"
  );
  await knex.raw("DELETE FROM `_desired_search`");
  if (searchEntries.length > 0) {
    await knex.batchInsert(
      "_desired_search",
      searchEntries.map((r) => ({
        key: r.key,
        value: r.value,
        original_value: r.original_value
      })),
      util.BATCH_SIZE
    ).transacting(knex);
  }
  await knex.raw(
    "DELETE s FROM `search` s WHERE s.entity_id = ? AND NOT EXISTS (  SELECT 1 FROM `_desired_search` d  WHERE d.`key` = s.`key`    AND d.`value` <=> s.`value`    AND BINARY d.`original_value` <=> BINARY s.`original_value`)",
    [entityId]
  );
  await knex.raw(
    "INSERT INTO `search` (entity_id, `key`, `value`, `original_value`) SELECT ?, d.`key`, d.`value`, d.`original_value` FROM `_desired_search` d WHERE NOT EXISTS (  SELECT 1 FROM `search` s  WHERE s.entity_id = ?    AND s.`key` = d.`key`    AND s.`value` <=> d.`value`    AND BINARY s.`original_value` <=> BINARY d.`original_value`)",
    [entityId, entityId]
  );
}
async function syncBulkReplace(knex, entityId, searchEntries) {
  await knex("search").where({ entity_id: entityId }).delete();
  await knex.batchInsert("search", searchEntries, util.BATCH_SIZE).transacting(knex);
}

exports.syncSearchRows = syncSearchRows;
