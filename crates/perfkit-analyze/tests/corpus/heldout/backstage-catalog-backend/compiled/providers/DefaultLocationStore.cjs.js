'use strict';

var errors = require('@backstage/errors');
var node_crypto = require('node:crypto');
var util = require('../processing/util.cjs.js');
var conversion = require('../util/conversion.cjs.js');
var catalogModel = require('@backstage/catalog-model');
var lodash = require('lodash');
var parseGitUrl = require('git-url-parse');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var parseGitUrl__default = /*#__PURE__*/_interopDefaultCompat(parseGitUrl);

class DefaultLocationStore {
  _connection;
  db;
  scmEvents;
  scmEventHandlingConfig;
  constructor(db, scmEvents, scmEventHandlingConfig) {
    this.db = db;
    this.scmEvents = scmEvents;
    this.scmEventHandlingConfig = scmEventHandlingConfig;
  }
  getProviderName() {
    return "DefaultLocationStore";
  }
  async createLocation(input, options) {
    let existed = false;
    const location = await this.db.transaction(async (tx) => {
      const previousLocations = await this.locations(tx);
      const previousLocation = previousLocations.find(
        (l) => input.type === l.type && input.target === l.target
      );
      if (previousLocation) {
        if (options?.onConflict === "refresh") {
          existed = true;
          return previousLocation;
        }
        throw new errors.ConflictError(
          `Location ${input.type}:${input.target} already exists`
        );
      }
      const inner = {
        id: node_crypto.randomUUID(),
        type: input.type,
        target: input.target,
        location_entity_ref: conversion.computeLocationEntityRef(input.type, input.target)
      };
      await tx("locations").insert(inner);
      return inner;
    });
    const entity = conversion.locationSpecToLocationEntity({
      location,
      locationEntityRef: location.location_entity_ref
    });
    await this.connection.applyMutation({
      type: "delta",
      added: [{ entity, locationKey: util.getEntityLocationRef(entity) }],
      removed: []
    });
    if (existed) {
      const entityRef = catalogModel.stringifyEntityRef(entity);
      await this.db("refresh_state").where({ entity_ref: entityRef }).update({
        next_update_at: this.db.fn.now(),
        result_hash: ""
      });
    }
    return {
      id: location.id,
      type: location.type,
      target: location.target,
      entityRef: location.location_entity_ref
    };
  }
  async listLocations() {
    return (await this.locations()).map(
      ({ id, type, target, location_entity_ref }) => ({
        id,
        type,
        target,
        entityRef: location_entity_ref
      })
    );
  }
  async queryLocations(options) {
    let itemsQuery = this.db("locations").whereNot(
      "type",
      "bootstrap"
    );
    if (options.query) {
      itemsQuery = applyLocationFilterToQuery(
        this.db.client.config.client,
        itemsQuery,
        options.query
      );
    }
    const countQuery = itemsQuery.clone().count("*", { as: "count" });
    itemsQuery = itemsQuery.orderBy("id", "asc");
    if (options.afterId !== void 0) {
      itemsQuery = itemsQuery.where("id", ">", options.afterId);
    }
    if (options.limit !== void 0) {
      itemsQuery = itemsQuery.limit(options.limit);
    }
    const [items, [{ count }]] = await Promise.all([itemsQuery, countQuery]);
    return {
      items: items.map((item) => ({
        id: item.id,
        target: item.target,
        type: item.type,
        entityRef: item.location_entity_ref
      })),
      totalItems: Number(count)
    };
  }
  async getLocation(id) {
    const items = await this.db("locations").where({ id }).select();
    if (!items.length) {
      throw new errors.NotFoundError(`Found no location with ID ${id}`);
    }
    const { id: rowId, type, target, location_entity_ref } = items[0];
    return { id: rowId, type, target, entityRef: location_entity_ref };
  }
  async updateLocation(id, location) {
    if (!this.connection) {
      throw new Error("location store is not initialized");
    }
    let row;
    if (this.db.client.config.client.includes("mysql")) {
      await this.db.transaction(async (tx) => {
        [row] = await tx("locations").where({ id }).select();
        if (!row) {
          return;
        }
        const [conflict] = await tx("locations").where({ type: location.type, target: location.target }).whereNot({ id }).select();
        if (conflict) {
          throw new errors.ConflictError(
            `Location ${location.type}:${location.target} already exists`
          );
        }
        await tx("locations").where({ id }).update({ type: location.type, target: location.target });
        row = { ...row, type: location.type, target: location.target };
      });
    } else {
      await this.db.transaction(async (tx) => {
        const [conflict] = await tx("locations").where({ type: location.type, target: location.target }).whereNot({ id }).select();
        if (conflict) {
          throw new errors.ConflictError(
            `Location ${location.type}:${location.target} already exists`
          );
        }
        [row] = await tx("locations").where({ id }).update({ type: location.type, target: location.target }).returning("*");
      });
    }
    if (!row) {
      throw new errors.NotFoundError(`Found no location with ID ${id}`);
    }
    const entity = conversion.locationSpecToLocationEntity({
      location: row,
      locationEntityRef: row.location_entity_ref
    });
    await this.connection.applyMutation({
      type: "delta",
      added: [{ entity, locationKey: util.getEntityLocationRef(entity) }],
      removed: []
    });
    return {
      id: row.id,
      type: row.type,
      target: row.target,
      entityRef: row.location_entity_ref
    };
  }
  async deleteLocation(id) {
    if (!this.connection) {
      throw new Error("location store is not initialized");
    }
    const deleted = await this.db.transaction(async (tx) => {
      const [location] = await tx("locations").where({ id }).select();
      if (!location) {
        throw new errors.NotFoundError(`Found no location with ID ${id}`);
      }
      await tx("locations").where({ id }).del();
      return location;
    });
    const entity = conversion.locationSpecToLocationEntity({
      location: deleted,
      locationEntityRef: deleted.location_entity_ref
    });
    await this.connection.applyMutation({
      type: "delta",
      added: [],
      removed: [{ entity, locationKey: util.getEntityLocationRef(entity) }]
    });
  }
  async getLocationByEntity(entityRef) {
    const entityRefString = catalogModel.stringifyEntityRef(entityRef);
    const [entityRow] = await this.db("refresh_state").where({ entity_ref: entityRefString }).select("entity_id").limit(1);
    if (!entityRow) {
      throw new errors.NotFoundError(`found no entity for ref ${entityRefString}`);
    }
    const [searchRow] = await this.db("search").where({
      entity_id: entityRow.entity_id,
      key: `metadata.annotations.${catalogModel.ANNOTATION_ORIGIN_LOCATION}`
    }).select("original_value").limit(1);
    if (!searchRow?.original_value) {
      throw new errors.NotFoundError(
        `found no origin annotation for ref ${entityRefString}`
      );
    }
    const { type, target } = catalogModel.parseLocationRef(searchRow.original_value);
    const [locationRow] = await this.db("locations").where({ type, target }).select().limit(1);
    if (!locationRow) {
      throw new errors.NotFoundError(
        `Found no location with type ${type} and target ${target}`
      );
    }
    return {
      id: locationRow.id,
      type: locationRow.type,
      target: locationRow.target,
      entityRef: locationRow.location_entity_ref
    };
  }
  get connection() {
    if (!this._connection) {
      throw new Error("location store is not initialized");
    }
    return this._connection;
  }
  async connect(connection) {
    this._connection = connection;
    const locations = await this.locations();
    const entities = locations.map((location) => {
      const entity = conversion.locationSpecToLocationEntity({
        location,
        locationEntityRef: location.location_entity_ref
      });
      return { entity, locationKey: util.getEntityLocationRef(entity) };
    });
    await this.connection.applyMutation({
      type: "full",
      entities
    });
    if (this.scmEventHandlingConfig.unregister || this.scmEventHandlingConfig.move) {
      this.scmEvents.subscribe({ onEvents: this.#onScmEvents.bind(this) });
    }
  }
  async locations(dbOrTx = this.db) {
    const locations = await dbOrTx("locations").select();
    return locations.filter(({ type }) => type !== "bootstrap");
  }
  // #region SCM event handling
  async #onScmEvents(events) {
    const exactLocationsToDelete = /* @__PURE__ */ new Set();
    const locationPrefixesToDelete = /* @__PURE__ */ new Set();
    const exactLocationsToCreate = /* @__PURE__ */ new Set();
    const locationPrefixesToMove = /* @__PURE__ */ new Map();
    const movedFromUrls = /* @__PURE__ */ new Set();
    for (const event of events) {
      if (event.type === "location.moved" && this.scmEventHandlingConfig.move) {
        movedFromUrls.add(event.fromUrl);
      }
    }
    const trackedFromUrls = /* @__PURE__ */ new Set();
    if (movedFromUrls.size > 0) {
      const existing = await this.db("locations").where("type", "=", "url").whereIn("target", Array.from(movedFromUrls)).select("target");
      for (const row of existing) {
        trackedFromUrls.add(row.target);
      }
    }
    for (const event of events) {
      if (event.type === "location.deleted" && this.scmEventHandlingConfig.unregister) {
        exactLocationsToDelete.add(event.url);
      } else if (event.type === "location.moved" && this.scmEventHandlingConfig.move) {
        if (trackedFromUrls.has(event.fromUrl)) {
          exactLocationsToDelete.add(event.fromUrl);
          exactLocationsToCreate.add(event.toUrl);
        }
      } else if (event.type === "repository.deleted" && this.scmEventHandlingConfig.unregister) {
        locationPrefixesToDelete.add(event.url);
      } else if (event.type === "repository.moved" && this.scmEventHandlingConfig.move) {
        locationPrefixesToMove.set(event.fromUrl, event.toUrl);
      }
    }
    if (exactLocationsToDelete.size > 0) {
      const count = await this.#deleteLocationsByExactUrl(
        exactLocationsToDelete
      );
      this.scmEvents.markEventActionTaken({
        count,
        action: "delete"
      });
    }
    if (locationPrefixesToDelete.size > 0) {
      const count = await this.#deleteLocationsByUrlPrefix(
        locationPrefixesToDelete
      );
      this.scmEvents.markEventActionTaken({
        count,
        action: "delete"
      });
    }
    if (exactLocationsToCreate.size > 0) {
      const count = await this.#createLocationsByExactUrl(
        exactLocationsToCreate
      );
      this.scmEvents.markEventActionTaken({
        count,
        action: "create"
      });
    }
    if (locationPrefixesToMove.size > 0) {
      const count = await this.#moveLocationsByUrlPrefix(
        locationPrefixesToMove
      );
      this.scmEvents.markEventActionTaken({
        count,
        action: "move"
      });
    }
  }
  async #createLocationsByExactUrl(urls) {
    let count = 0;
    for (const batch of lodash.chunk(Array.from(urls), 100)) {
      const existingUrls = await this.db("locations").where("type", "=", "url").whereIn("target", batch).select().then((rows) => new Set(rows.map((row) => row.target)));
      const newLocations = batch.filter((url) => !existingUrls.has(url)).map((url) => ({
        id: node_crypto.randomUUID(),
        type: "url",
        target: url,
        location_entity_ref: conversion.computeLocationEntityRef("url", url)
      }));
      if (newLocations.length) {
        await this.db("locations").insert(newLocations);
        await this.connection.applyMutation({
          type: "delta",
          added: newLocations.map((location) => {
            const entity = conversion.locationSpecToLocationEntity({
              location,
              locationEntityRef: location.location_entity_ref
            });
            return { entity, locationKey: util.getEntityLocationRef(entity) };
          }),
          removed: []
        });
        count += newLocations.length;
      }
    }
    return count;
  }
  async #deleteLocationsByExactUrl(urls) {
    let count = 0;
    for (const batch of lodash.chunk(Array.from(urls), 100)) {
      const rows = await this.db("locations").where("type", "=", "url").whereIn("target", batch).select();
      if (rows.length) {
        await this.db("locations").whereIn(
          "id",
          rows.map((row) => row.id)
        ).delete();
        await this.connection.applyMutation({
          type: "delta",
          added: [],
          removed: rows.map((row) => ({
            entity: conversion.locationSpecToLocationEntity({
              location: row,
              locationEntityRef: row.location_entity_ref
            })
          }))
        });
        count += rows.length;
      }
    }
    return count;
  }
  async #deleteLocationsByUrlPrefix(urls) {
    const matches = await this.#findLocationsByPrefixOrExactMatch(urls);
    if (matches.length) {
      await this.#deleteLocations(matches.map((l) => l.row));
    }
    return matches.length;
  }
  async #moveLocationsByUrlPrefix(urlPrefixes) {
    let count = 0;
    for (const [fromPrefix, toPrefix] of urlPrefixes) {
      if (fromPrefix === toPrefix) {
        continue;
      }
      if (fromPrefix.match(/[?#]/) || toPrefix.match(/[?#]/)) {
        continue;
      }
      const matches = await this.#findLocationsByPrefixOrExactMatch([
        fromPrefix
      ]);
      if (matches.length) {
        await this.#deleteLocations(matches.map((m) => m.row));
        await this.#createLocationsByExactUrl(
          matches.map((m) => {
            const remainder = m.row.target.slice(fromPrefix.length).replace(/^\/+/, "");
            if (!remainder) {
              return toPrefix;
            }
            return `${toPrefix.replace(/\/+$/, "")}/${remainder}`;
          })
        );
        count += matches.length;
      }
    }
    return count;
  }
  async #deleteLocations(rows) {
    for (const ids of lodash.chunk(
      rows.map((l) => l.id),
      100
    )) {
      await this.db("locations").whereIn("id", ids).delete();
    }
    await this.connection.applyMutation({
      type: "delta",
      added: [],
      removed: rows.map((l) => ({
        entity: conversion.locationSpecToLocationEntity({
          location: l,
          locationEntityRef: l.location_entity_ref
        })
      }))
    });
  }
  /**
   * Given a "base" URL prefix, find all locations that are for paths at or
   * below it.
   *
   * For example, given a base URL prefix of
   * "https://github.com/backstage/backstage/blob/master/plugins", it will match
   * locations inside the plugins directory, and nowhere else.
   */
  async #findLocationsByPrefixOrExactMatch(urls) {
    const result = new Array();
    for (const url of urls) {
      let base;
      try {
        base = parseGitUrl__default.default(url);
      } catch (error) {
        throw new Error(`Invalid URL prefix, could not parse: ${url}`);
      }
      if (!base.owner || !base.name) {
        throw new Error(
          `Invalid URL prefix, missing owner or repository: ${url}`
        );
      }
      const pathPrefix = base.filepath === "" || base.filepath.endsWith("/") ? base.filepath : `${base.filepath}/`;
      const rows = await this.db("locations").where("type", "=", "url").where("target", "like", `%${base.owner}%`).where("target", "like", `%${base.name}%`).select();
      result.push(
        ...rows.flatMap((row) => {
          try {
            const candidate = parseGitUrl__default.default(row.target);
            if (candidate.protocol === base.protocol && candidate.resource === base.resource && candidate.port === base.port && candidate.organization === base.organization && candidate.owner === base.owner && candidate.name === base.name && // If the base has no ref (for example didn't have the "/blob/master"
            // part and therefore targeted an entire repository) then we match any
            // ref below that
            (!base.ref || candidate.ref === base.ref) && // Match both on exact equality and any subpath with a slash between
            (candidate.filepath === base.filepath || candidate.filepath.startsWith(pathPrefix))) {
              return [{ row, parsed: candidate }];
            }
            return [];
          } catch {
            return [];
          }
        })
      );
    }
    return lodash.uniqBy(result, (entry) => entry.row.id);
  }
  // #endregion
}
function applyLocationFilterToQuery(clientType, inputQuery, query) {
  let result = inputQuery;
  if (!query || typeof query !== "object" || Array.isArray(query)) {
    throw new errors.InputError("Invalid filter predicate, expected an object");
  }
  if ("$all" in query) {
    if (query.$all.length === 0) {
      return result.whereRaw("1 = 0");
    }
    return result.where((outer) => {
      for (const subQuery of query.$all) {
        outer.andWhere((inner) => {
          applyLocationFilterToQuery(clientType, inner, subQuery);
        });
      }
    });
  }
  if ("$any" in query) {
    if (query.$any.length === 0) {
      return result.whereRaw("1 = 0");
    }
    return result.where((outer) => {
      for (const subQuery of query.$any) {
        outer.orWhere((inner) => {
          applyLocationFilterToQuery(clientType, inner, subQuery);
        });
      }
    });
  }
  if ("$not" in query) {
    return result.whereNot((inner) => {
      applyLocationFilterToQuery(clientType, inner, query.$not);
    });
  }
  const entries = Object.entries(query);
  const keys = entries.map((e) => e[0]);
  if (keys.some((k) => k.startsWith("$"))) {
    throw new errors.InputError(
      `Invalid filter predicate, unknown logic operator '${keys.join(", ")}'`
    );
  }
  for (const [keyAnyCase, value] of entries) {
    const key = keyAnyCase.toLowerCase();
    if (!["id", "type", "target", "entityref"].includes(key)) {
      throw new errors.InputError(
        `Invalid filter predicate, expected key to be 'id', 'type', 'target', or 'entityRef', got '${keyAnyCase}'`
      );
    }
    const column = key === "entityref" ? "location_entity_ref" : key;
    result = applyFilterValueToQuery(clientType, result, column, value);
  }
  return result;
}
function applyFilterValueToQuery(clientType, result, key, value) {
  if (["string", "number", "boolean"].includes(typeof value)) {
    if (clientType === "pg") {
      return result.whereRaw(`UPPER(??::text) = UPPER(?::text)`, [key, value]);
    }
    if (clientType.includes("mysql")) {
      return result.whereRaw(
        `UPPER(CAST(?? AS CHAR)) = UPPER(CAST(? AS CHAR))`,
        [key, value]
      );
    }
    return result.whereRaw(`UPPER(??) = UPPER(?)`, [key, value]);
  }
  if (typeof value === "object") {
    if (!value || Array.isArray(value)) {
      throw new errors.InputError(
        `Invalid filter predicate, got unknown matcher object '${JSON.stringify(
          value
        )}'`
      );
    }
    if ("$exists" in value) {
      return value.$exists ? result.whereNotNull(key) : result.whereNull(key);
    }
    if ("$in" in value) {
      if (value.$in.length === 0) {
        return result.whereRaw("1 = 0");
      }
      if (key === "id") {
        return result.whereIn(key, value.$in);
      }
      if (clientType === "pg") {
        const rhs2 = value.$in.map(() => "UPPER(?::text)").join(", ");
        return result.whereRaw(`UPPER(??::text) IN (${rhs2})`, [
          key,
          ...value.$in
        ]);
      }
      if (clientType.includes("mysql")) {
        const rhs2 = value.$in.map(() => "UPPER(CAST(? AS CHAR))").join(", ");
        return result.whereRaw(`UPPER(CAST(?? AS CHAR)) IN (${rhs2})`, [
          key,
          ...value.$in
        ]);
      }
      const rhs = value.$in.map(() => "UPPER(?)").join(", ");
      return result.whereRaw(`UPPER(??) IN (${rhs})`, [key, ...value.$in]);
    }
    if ("$hasPrefix" in value) {
      const escaped = value.$hasPrefix.replace(/([\\%_])/g, "\\$1");
      if (clientType === "pg") {
        return result.whereRaw("?? ilike ? escape '\\'", [key, `${escaped}%`]);
      }
      if (clientType.includes("mysql")) {
        return result.whereRaw("UPPER(??) like UPPER(?) escape '\\\\'", [
          key,
          `${escaped}%`
        ]);
      }
      return result.whereRaw("UPPER(??) like UPPER(?) escape '\\'", [
        key,
        `${escaped}%`
      ]);
    }
    if ("$contains" in value) {
      return result.whereRaw("1 = 0");
    }
    throw new errors.InputError(
      `Invalid filter predicate, got unknown matcher object '${JSON.stringify(
        value
      )}'`
    );
  }
  throw new errors.InputError(
    `Invalid filter predicate, expected value to be a primitive value or a matcher object, got '${typeof value}'`
  );
}

exports.DefaultLocationStore = DefaultLocationStore;
