'use strict';

var catalogModel = require('@backstage/catalog-model');
var errors = require('@backstage/errors');
var lodash = require('lodash');
var markForStitching = require('../database/operations/stitcher/markForStitching.cjs.js');
var util = require('./util.cjs.js');
var applyEntityFilterToQuery = require('./request/applyEntityFilterToQuery.cjs.js');
var longInLists = require('./request/longInLists.cjs.js');
var applySetEntityFilterToQuery = require('./request/applySetEntityFilterToQuery.cjs.js');
var entityFilterToFilterPredicate = require('./request/entityFilterToFilterPredicate.cjs.js');
var process = require('./response/process.cjs.js');
require('@backstage/types');

const SMALL_PAGE_LIMIT = 100;
const DEFAULT_LIMIT = 200;
function parsePagination(input) {
  if (!input) {
    return {};
  }
  let { limit, offset } = input;
  if (input.after === void 0) {
    return { limit, offset };
  }
  let cursor;
  try {
    const json = Buffer.from(input.after, "base64").toString("utf8");
    cursor = JSON.parse(json);
  } catch {
    throw new errors.InputError("Malformed after cursor, could not be parsed");
  }
  if (cursor.limit !== void 0) {
    if (!Number.isInteger(cursor.limit)) {
      throw new errors.InputError("Malformed after cursor, limit was not an number");
    }
    limit = cursor.limit;
  }
  if (cursor.offset !== void 0) {
    if (!Number.isInteger(cursor.offset)) {
      throw new errors.InputError("Malformed after cursor, offset was not a number");
    }
    offset = cursor.offset;
  }
  return { limit, offset };
}
function stringifyPagination(input) {
  const { limit, offset } = input;
  const json = JSON.stringify({ limit, offset });
  const base64 = Buffer.from(json, "utf8").toString("base64");
  return base64;
}
class DefaultEntitiesCatalog {
  database;
  logger;
  constructor(options) {
    this.database = options.database;
    this.logger = options.logger;
  }
  async entities(request) {
    const db = this.database;
    const { limit, offset } = parsePagination(request?.pagination);
    const primaryOrder = request?.order?.[0];
    const useFastPath = primaryOrder && (request?.order?.length ?? 0) <= 1;
    let rows;
    if (useFastPath) {
      rows = await this.runOrderedEntitiesQuery(
        request,
        primaryOrder,
        limit,
        offset
      );
    } else {
      let entitiesQuery = db("final_entities").select("final_entities.*");
      request?.order?.forEach(({ field }, index) => {
        const alias = `order_${index}`;
        entitiesQuery = entitiesQuery.leftOuterJoin(
          { [alias]: "search" },
          function search(inner) {
            inner.on(`${alias}.entity_id`, "final_entities.entity_id").andOn(`${alias}.key`, db.raw("?", [field]));
          }
        );
      });
      entitiesQuery = entitiesQuery.whereNotNull("final_entities.final_entity");
      if (request?.filter) {
        entitiesQuery = applyEntityFilterToQuery.applyEntityFilterToQuery({
          filter: request.filter,
          targetQuery: entitiesQuery,
          onEntityIdField: "final_entities.entity_id",
          knex: db
        });
      }
      if (request?.order) {
        request.order.forEach(({ order }, index) => {
          if (db.client.config.client === "pg") {
            entitiesQuery = entitiesQuery.orderBy([
              { column: `order_${index}.value`, order, nulls: "last" }
            ]);
          } else {
            entitiesQuery = entitiesQuery.orderBy([
              {
                column: `order_${index}.value`,
                order: void 0,
                nulls: "last"
              },
              { column: `order_${index}.value`, order }
            ]);
          }
        });
        entitiesQuery.orderBy("final_entities.entity_id", "asc");
      } else {
        entitiesQuery = entitiesQuery.orderBy(
          "final_entities.entity_ref",
          "asc"
        );
      }
      if (limit !== void 0) {
        entitiesQuery = entitiesQuery.limit(limit + 1);
      }
      if (offset !== void 0) {
        entitiesQuery = entitiesQuery.offset(offset);
      }
      rows = await entitiesQuery;
    }
    let pageInfo;
    if (limit === void 0 || rows.length <= limit) {
      pageInfo = { hasNextPage: false };
    } else {
      rows = rows.slice(0, -1);
      pageInfo = {
        hasNextPage: true,
        endCursor: stringifyPagination({
          limit,
          offset: (offset ?? 0) + limit
        })
      };
    }
    return {
      entities: await process.processRawEntitiesResult(
        rows.map((r) => r.final_entity),
        request?.fields
      ),
      pageInfo
    };
  }
  /**
   * Two-phase fetch used when the caller has specified an order field.
   * See entities() for a longer description of the rationale.
   */
  async runOrderedEntitiesQuery(request, primaryOrder, limit, offset) {
    const db = this.database;
    const isPg = db.client.config.client === "pg";
    const wantedRows = limit === void 0 ? Number.MAX_SAFE_INTEGER : (offset ?? 0) + limit + 1;
    const applyFilter = (query) => {
      if (!request.filter) {
        return query;
      }
      return applyEntityFilterToQuery.applyEntityFilterToQuery({
        filter: request.filter,
        targetQuery: query,
        onEntityIdField: "final_entities.entity_id",
        knex: db
      });
    };
    let withField = db("search as order_0").innerJoin(
      "final_entities",
      "final_entities.entity_id",
      "order_0.entity_id"
    ).where("order_0.key", primaryOrder.field).whereNotNull("order_0.value").whereNotNull("final_entities.final_entity").select("final_entities.*");
    withField = applyFilter(withField);
    withField = isPg ? withField.orderBy([
      { column: "order_0.value", order: primaryOrder.order, nulls: "last" },
      { column: "final_entities.entity_id", order: "asc" }
    ]) : withField.orderBy([
      { column: "order_0.value", order: void 0, nulls: "last" },
      { column: "order_0.value", order: primaryOrder.order },
      { column: "final_entities.entity_id", order: "asc" }
    ]);
    if (wantedRows < Number.MAX_SAFE_INTEGER) {
      withField = withField.limit(wantedRows);
    }
    const withFieldRows = await withField;
    if (withFieldRows.length >= wantedRows) {
      const skip2 = offset ?? 0;
      return withFieldRows.slice(skip2, skip2 + (limit ?? wantedRows) + 1);
    }
    let withoutField = db("final_entities").select("final_entities.*").whereNotNull("final_entities.final_entity").whereNotExists(
      (qb) => qb.from("search").where("search.entity_id", db.ref("final_entities.entity_id")).andWhere("search.key", primaryOrder.field).whereNotNull("search.value")
    );
    withoutField = applyFilter(withoutField);
    withoutField = withoutField.orderBy(
      "final_entities.entity_id",
      "asc"
      // NULL group always stable-sorted ASC regardless of primary direction
    );
    if (limit !== void 0) {
      const remaining = wantedRows - Math.min(withFieldRows.length, (offset ?? 0) + limit + 1);
      withoutField = withoutField.limit(Math.max(0, remaining));
    }
    const withoutFieldRows = await withoutField;
    const combined = [...withFieldRows, ...withoutFieldRows];
    if (limit === void 0) {
      return combined.slice(offset ?? 0);
    }
    const skip = offset ?? 0;
    return combined.slice(skip, skip + limit + 1);
  }
  async entitiesBatch(request) {
    if (request.entityRefs.length === 0) {
      return { items: await process.processRawEntitiesResult([], request.fields) };
    }
    const normalizedRefs = request.entityRefs.map((ref) => ref.toLowerCase());
    const lookup = /* @__PURE__ */ new Map();
    const isPg = this.database.client.config.client === "pg";
    const chunks = isPg ? [normalizedRefs] : lodash.chunk(normalizedRefs, 200);
    for (const chunk of chunks) {
      let query = this.database("final_entities").select({
        entityRef: "final_entities.entity_ref",
        entity: "final_entities.final_entity"
      });
      if (isPg) {
        query = query.whereRaw("final_entities.entity_ref = ANY(?::text[])", [
          chunk
        ]);
      } else {
        query = query.whereIn("final_entities.entity_ref", chunk);
      }
      if (request?.filter) {
        query = applyEntityFilterToQuery.applyEntityFilterToQuery({
          filter: request.filter,
          targetQuery: query,
          onEntityIdField: "final_entities.entity_id",
          knex: this.database,
          // The refs already pick the rows, so matching long lists as whole
          // sets would only add work
          matchLongInListsPerRow: true
        });
      }
      for (const row of await query) {
        lookup.set(row.entityRef, row.entity ? row.entity : null);
      }
    }
    const items = normalizedRefs.map((ref) => lookup.get(ref) ?? null);
    return { items: await process.processRawEntitiesResult(items, request.fields) };
  }
  async queryEntities(request) {
    const limit = request.limit ?? DEFAULT_LIMIT;
    const { totalItemsMode, ...cursor } = {
      orderFields: [],
      isPrevious: false,
      ...parseCursorFromRequest(request)
    };
    const shouldComputeTotalItems = cursor.totalItems === void 0 && totalItemsMode !== "exclude";
    const isFetchingBackwards = cursor.isPrevious;
    if (cursor.orderFields.length > 1) {
      this.logger.warn(`Only one sort field is supported, ignoring the rest`);
    }
    const sortField = cursor.orderFields.at(0);
    const sortKey = sortField?.field.toLowerCase();
    const normalizedFullTextFilterTerm = cursor.fullTextFilter?.term?.trim();
    const textFilterFields = cursor.fullTextFilter?.fields ?? [
      sortKey || "metadata.uid"
    ];
    const cursorFilters = [
      ...cursor.filter ? [entityFilterToFilterPredicate.entityFilterToFilterPredicate(cursor.filter)] : [],
      ...cursor.query ? [cursor.query] : []
    ];
    const combinedFilter = cursorFilters.length > 1 ? { $all: cursorFilters } : cursorFilters[0];
    const applyPredicates = (q, options) => {
      const applyFilter = (filter) => {
        const filterOptions = {
          filter,
          targetQuery: q,
          onEntityIdField: "final_entities.entity_id",
          knex: this.database,
          // A small page can stop early, so long lists that are not direct
          // conditions are cheaper to probe per row there. The count has no
          // limit and reads every match, so it is never a small page.
          smallPage: !options?.asSet && limit <= SMALL_PAGE_LIMIT
        };
        if (options?.asSet && this.useSetFilter(filter)) {
          applySetEntityFilterToQuery.applySetEntityFilterToQuery(filterOptions);
        } else {
          applyEntityFilterToQuery.applyEntityFilterToQuery(filterOptions);
        }
      };
      if (combinedFilter) {
        applyFilter(combinedFilter);
      }
      if (normalizedFullTextFilterTerm) {
        if (options?.searchInScope && sortField && textFilterFields.length === 1 && textFilterFields[0] === sortKey) {
          q.andWhereRaw(
            "search.value like ?",
            `%${normalizedFullTextFilterTerm.toLowerCase()}%`
          );
        } else {
          const matchQuery = this.database("search").select("search.entity_id").whereIn(
            "search.key",
            textFilterFields.map((field) => field.toLowerCase())
          ).andWhere(function keyFilter() {
            this.andWhereRaw(
              "search.value like ?",
              `%${normalizedFullTextFilterTerm.toLowerCase()}%`
            );
          });
          q.andWhere("final_entities.entity_id", "in", matchQuery);
        }
      }
    };
    const dbQuery = this.database.with(
      "filtered",
      ["entity_id", "final_entity", ...sortField ? ["value"] : []],
      (inner) => {
        if (sortField) {
          inner.from("search").innerJoin(
            "final_entities",
            "final_entities.entity_id",
            "search.entity_id"
          ).where("search.key", sortKey).whereNotNull("search.value").whereNotNull("final_entities.final_entity").select({
            entity_id: "final_entities.entity_id",
            final_entity: "final_entities.final_entity",
            value: "search.value"
          });
        } else {
          inner.from("final_entities").whereNotNull("final_entity").select({
            entity_id: "final_entities.entity_id",
            final_entity: "final_entities.final_entity"
          });
        }
        applyPredicates(inner, { searchInScope: !!sortField });
      }
    );
    dbQuery.from("filtered").select("*");
    let countQuery;
    if (shouldComputeTotalItems) {
      countQuery = this.database("final_entities").whereNotNull("final_entities.final_entity").count("*", { as: "count" });
      if (sortField) {
        countQuery.whereExists(
          this.database("search").select(this.database.raw(1)).whereRaw("search.entity_id = final_entities.entity_id").where("search.key", sortKey).whereNotNull("search.value")
        );
      }
      applyPredicates(countQuery, { asSet: true });
    }
    const isOrderingDescending = sortField?.order === "desc";
    if (cursor.orderFieldValues) {
      if (cursor.orderFieldValues.length === 2) {
        const [first, second] = cursor.orderFieldValues;
        dbQuery.andWhere(function nested() {
          this.where(
            "filtered.value",
            isFetchingBackwards !== isOrderingDescending ? "<" : ">",
            first
          ).orWhere("filtered.value", "=", first).andWhere(
            "filtered.entity_id",
            isFetchingBackwards !== isOrderingDescending ? "<" : ">",
            second
          );
        });
      } else if (cursor.orderFieldValues.length === 1) {
        const [first] = cursor.orderFieldValues;
        dbQuery.andWhere("entity_id", isFetchingBackwards ? "<" : ">", first);
      }
    }
    let order = sortField?.order ?? "asc";
    if (isFetchingBackwards) {
      order = invertOrder(order);
    }
    const sortExpression = sortField && this.database.client.config.client === "pg" && combinedFilter && longInLists.sortsAfterMatching(combinedFilter, {
      smallPage: limit <= SMALL_PAGE_LIMIT
    }) ? this.database.raw(`("filtered"."value" || '')`) : "filtered.value";
    dbQuery.orderBy([
      ...sortField ? [{ column: sortExpression, order }] : [],
      { column: "filtered.entity_id", order }
    ]);
    if (util.isQueryEntitiesInitialRequest(request) && request.offset !== void 0) {
      dbQuery.offset(request.offset);
    }
    dbQuery.limit(isFetchingBackwards ? limit : limit + 1);
    const [rows, countResult] = await Promise.all([
      limit > 0 ? dbQuery : Promise.resolve([]),
      countQuery ?? Promise.resolve(void 0)
    ]);
    let totalItems;
    if (cursor.totalItems !== void 0) {
      totalItems = cursor.totalItems;
    } else if (totalItemsMode === "exclude") {
      totalItems = 0;
    } else if (countResult?.[0]) {
      totalItems = Number(countResult[0].count);
    } else {
      totalItems = 0;
    }
    if (isFetchingBackwards) {
      rows.reverse();
    }
    const hasMoreResults = limit > 0 && (isFetchingBackwards || rows.length > limit);
    if (rows.length > limit) {
      rows.length -= 1;
    }
    const isInitialRequest = cursor.firstSortFieldValues === void 0;
    const firstRow = rows[0];
    const lastRow = rows[rows.length - 1];
    const firstSortFieldValues = cursor.firstSortFieldValues || sortFieldsFromRow(firstRow, sortField);
    const nextCursor = hasMoreResults ? {
      ...cursor,
      orderFieldValues: sortFieldsFromRow(lastRow, sortField),
      firstSortFieldValues,
      isPrevious: false,
      totalItems
    } : void 0;
    const prevCursor = !isInitialRequest && rows.length > 0 && !lodash.isEqual(
      sortFieldsFromRow(firstRow, sortField),
      cursor.firstSortFieldValues
    ) ? {
      ...cursor,
      orderFieldValues: sortFieldsFromRow(firstRow, sortField),
      firstSortFieldValues: cursor.firstSortFieldValues,
      isPrevious: true,
      totalItems
    } : void 0;
    return {
      items: await process.processRawEntitiesResult(
        rows.map((r) => r.final_entity),
        request.fields
      ),
      pageInfo: {
        ...!!prevCursor && { prevCursor },
        ...!!nextCursor && { nextCursor }
      },
      totalItems
    };
  }
  async removeEntityByUid(uid) {
    const relationPeerRefs = await this.database.transaction(async (tx) => {
      const dbConfig = tx.client.config;
      if (dbConfig.client.includes("mysql")) {
        const results = await tx("refresh_state").select("entity_id").whereIn("entity_ref", function parents(builder) {
          return builder.from("refresh_state").innerJoin(
            "refresh_state_references",
            {
              "refresh_state_references.target_entity_ref": "refresh_state.entity_ref"
            }
          ).where("refresh_state.entity_id", "=", uid).select("refresh_state_references.source_entity_ref");
        });
        await tx("refresh_state").update({
          result_hash: "child-was-deleted",
          next_update_at: tx.fn.now()
        }).whereIn(
          "entity_id",
          results.map((key) => key.entity_id)
        );
      } else {
        await tx("refresh_state").update({
          result_hash: "child-was-deleted",
          next_update_at: tx.fn.now()
        }).whereIn("entity_ref", function parents(builder) {
          return builder.from("refresh_state").innerJoin(
            "refresh_state_references",
            {
              "refresh_state_references.target_entity_ref": "refresh_state.entity_ref"
            }
          ).where("refresh_state.entity_id", "=", uid).select("refresh_state_references.source_entity_ref");
        });
      }
      const relationPeers = await tx.from("relations").innerJoin("refresh_state", {
        "refresh_state.entity_ref": "relations.target_entity_ref"
      }).where("relations.originating_entity_id", "=", uid).andWhere("refresh_state.entity_id", "!=", uid).select({ ref: "relations.target_entity_ref" }).union(
        (other) => other.from("relations").innerJoin("refresh_state", {
          "refresh_state.entity_ref": "relations.source_entity_ref"
        }).where("relations.originating_entity_id", "=", uid).andWhere("refresh_state.entity_id", "!=", uid).select({ ref: "relations.source_entity_ref" })
      );
      await tx("refresh_state").where("entity_id", uid).delete();
      return new Set(relationPeers.map((p) => p.ref));
    });
    if (relationPeerRefs.size > 0) {
      await markForStitching.markForStitching({
        knex: this.database,
        entityRefs: relationPeerRefs
      });
    }
  }
  async entityAncestry(rootRef) {
    const [rootRow] = await this.database("final_entities").where("final_entities.entity_ref", "=", rootRef).select({
      entityJson: "final_entities.final_entity"
    });
    if (!rootRow) {
      throw new errors.NotFoundError(`No such entity ${rootRef}`);
    }
    const rootEntity = JSON.parse(rootRow.entityJson);
    const seenEntityRefs = /* @__PURE__ */ new Set();
    const todo = new Array();
    const items = new Array();
    for (let current = rootEntity; current; current = todo.pop()) {
      const currentRef = catalogModel.stringifyEntityRef(current);
      seenEntityRefs.add(currentRef);
      const parentRows = await this.database(
        "refresh_state_references"
      ).innerJoin("final_entities", {
        "refresh_state_references.source_entity_ref": "final_entities.entity_ref"
      }).where("refresh_state_references.target_entity_ref", "=", currentRef).select({
        parentEntityRef: "final_entities.entity_ref",
        parentEntityJson: "final_entities.final_entity"
      });
      const parentRefs = [];
      for (const { parentEntityRef, parentEntityJson } of parentRows) {
        parentRefs.push(parentEntityRef);
        if (!seenEntityRefs.has(parentEntityRef)) {
          seenEntityRefs.add(parentEntityRef);
          todo.push(JSON.parse(parentEntityJson));
        }
      }
      items.push({
        entity: current,
        parentEntityRefs: parentRefs
      });
    }
    return {
      rootEntityRef: catalogModel.stringifyEntityRef(rootEntity),
      items
    };
  }
  async facets(request) {
    const query = this.database("search").whereIn(
      "search.key",
      request.facets.map((f) => f.toLowerCase())
    ).whereNotNull("search.original_value").select({
      facet: "search.key",
      value: "search.original_value",
      count: this.database.raw("count(*)")
    }).groupBy(["search.key", "search.original_value"]).orderBy(["search.key", "search.original_value"]);
    if (request.filter && this.useSetFilter(request.filter)) {
      query.whereExists(
        this.database("final_entities").select(this.database.raw("1")).whereRaw("?? = ??", ["final_entities.entity_id", "search.entity_id"]).whereNotNull("final_entities.final_entity")
      );
      applySetEntityFilterToQuery.applySetEntityFilterToQuery({
        filter: request.filter,
        targetQuery: query,
        onEntityIdField: "search.entity_id",
        knex: this.database
      });
    } else if (request.filter) {
      const entityIdSubquery = this.database("final_entities").select("final_entities.entity_id").whereNotNull("final_entities.final_entity");
      applyEntityFilterToQuery.applyEntityFilterToQuery({
        filter: request.filter,
        targetQuery: entityIdSubquery,
        onEntityIdField: "final_entities.entity_id",
        knex: this.database
      });
      query.innerJoin(
        entityIdSubquery.as("filtered_entities"),
        "search.entity_id",
        "filtered_entities.entity_id"
      );
    }
    const rows = await query;
    const facets = {};
    for (const facet of request.facets) {
      const facetLowercase = facet.toLowerCase();
      facets[facet] = rows.filter((row) => row.facet === facetLowercase).map((row) => ({
        value: String(row.value),
        count: Number(row.count)
      }));
    }
    return { facets };
  }
  // For queries over the whole filtered set; see query battery scenarios 15-19
  useSetFilter(filter) {
    return this.database.client.config.client === "pg" && applySetEntityFilterToQuery.needsSetFilter(filter);
  }
}
function parseCursorFromRequest(request) {
  if (util.isQueryEntitiesInitialRequest(request)) {
    const {
      filter,
      orderFields: sortFields = [],
      fullTextFilter,
      totalItems: totalItemsMode = "include"
    } = request;
    return {
      query: filter,
      orderFields: sortFields,
      fullTextFilter,
      totalItemsMode
    };
  }
  if (util.isQueryEntitiesCursorRequest(request)) {
    return {
      ...request.cursor,
      // Doesn't matter — cursor already carries the computed totalItems
      // number from the first page, so the count query is skipped regardless.
      totalItemsMode: "exclude"
    };
  }
  return {
    totalItemsMode: "include"
  };
}
function invertOrder(order) {
  return order === "asc" ? "desc" : "asc";
}
function sortFieldsFromRow(row, sortField) {
  return sortField ? [row?.value, row?.entity_id] : [row?.entity_id];
}

exports.DefaultEntitiesCatalog = DefaultEntitiesCatalog;
