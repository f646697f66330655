'use strict';

var metrics = require('../util/metrics.cjs.js');

const ENTITIES_COUNT_TTL_MS = 3e4;
function createEntitiesCountByKind(knex, options) {
  const ttlMs = ENTITIES_COUNT_TTL_MS;
  let inflight;
  let cached;
  return () => {
    if (inflight) {
      return inflight;
    }
    if (cached && Date.now() - cached.at < ttlMs) {
      return Promise.resolve(cached.data);
    }
    inflight = (async () => {
      try {
        const data = await queryEntitiesCountByKind(knex);
        cached = { at: Date.now(), data };
        return data;
      } finally {
        inflight = void 0;
      }
    })();
    return inflight;
  };
}
async function queryEntitiesCountByKind(knex) {
  const kindExpr = entityRefKindExpression(knex);
  const rows = await knex(
    "final_entities"
  ).whereNotNull("final_entity").select({ kind: kindExpr, count: knex.raw("count(*)") }).groupBy(kindExpr);
  return new Map(rows.map((row) => [String(row.kind), Number(row.count)]));
}
function entityRefKindExpression(knex) {
  const client = knex.client.config.client;
  if (client.includes("pg")) {
    return knex.raw(`split_part(entity_ref, ':', 1)`);
  }
  if (client.includes("mysql")) {
    return knex.raw(`substring_index(entity_ref, ':', 1)`);
  }
  return knex.raw(`substr(entity_ref, 1, instr(entity_ref, ':') - 1)`);
}
function initDatabaseMetrics(knex, metrics$1) {
  const seenProm = /* @__PURE__ */ new Set();
  const seen = /* @__PURE__ */ new Set();
  const getEntitiesCountByKind = createEntitiesCountByKind(knex);
  return {
    entities_count_prom: metrics.createGaugeMetric({
      name: "catalog_entities_count",
      help: "Total amount of entities in the catalog. DEPRECATED: Please use opentelemetry metrics instead.",
      labelNames: ["kind"],
      async collect() {
        const results = await getEntitiesCountByKind();
        for (const [kind, count] of results) {
          seenProm.add(kind);
          this.set({ kind }, count);
        }
        for (const kind of seenProm) {
          if (!results.has(kind)) {
            this.set({ kind }, 0);
            seenProm.delete(kind);
          }
        }
      }
    }),
    registered_locations_prom: metrics.createGaugeMetric({
      name: "catalog_registered_locations_count",
      help: "Total amount of registered locations in the catalog. DEPRECATED: Please use opentelemetry metrics instead.",
      async collect() {
        const total = await knex("locations").count({
          count: "*"
        });
        this.set(Number(total[0].count));
      }
    }),
    relations_prom: metrics.createGaugeMetric({
      name: "catalog_relations_count",
      help: "Total amount of relations between entities. DEPRECATED: Please use opentelemetry metrics instead.",
      async collect() {
        const total = await knex("relations").count({
          count: "*"
        });
        this.set(Number(total[0].count));
      }
    }),
    entities_count: metrics$1.createObservableGauge("catalog_entities_count", {
      description: "Total amount of entities in the catalog"
    }).addCallback(async (gauge) => {
      const results = await getEntitiesCountByKind();
      for (const [kind, count] of results) {
        seen.add(kind);
        gauge.observe(count, { kind });
      }
      for (const kind of seen) {
        if (!results.has(kind)) {
          gauge.observe(0, { kind });
          seen.delete(kind);
        }
      }
    }),
    registered_locations: metrics$1.createObservableGauge("catalog_registered_locations_count", {
      description: "Total amount of registered locations in the catalog"
    }).addCallback(async (gauge) => {
      if (knex.client.config.client === "pg") {
        const total = await knex.raw(`
            SELECT reltuples::bigint AS estimate
            FROM   pg_class
            WHERE  oid = 'locations'::regclass;
          `);
        gauge.observe(Number(total.rows[0].estimate));
      } else {
        const total = await knex("locations").count({
          count: "*"
        });
        gauge.observe(Number(total[0].count));
      }
    }),
    relations: metrics$1.createObservableGauge("catalog_relations_count", {
      description: "Total amount of relations between entities"
    }).addCallback(async (gauge) => {
      if (knex.client.config.client === "pg") {
        const total = await knex.raw(`
            SELECT reltuples::bigint AS estimate
            FROM   pg_class
            WHERE  oid = 'relations'::regclass;
          `);
        gauge.observe(Number(total.rows[0].estimate));
      } else {
        const total = await knex("relations").count({
          count: "*"
        });
        gauge.observe(Number(total[0].count));
      }
    })
  };
}

exports.createEntitiesCountByKind = createEntitiesCountByKind;
exports.initDatabaseMetrics = initDatabaseMetrics;
exports.queryEntitiesCountByKind = queryEntitiesCountByKind;
