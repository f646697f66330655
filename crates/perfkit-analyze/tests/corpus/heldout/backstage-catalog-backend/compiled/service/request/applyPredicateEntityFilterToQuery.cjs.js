'use strict';

var errors = require('@backstage/errors');
var util = require('../../database/util.cjs.js');
var searchSubquery = require('./searchSubquery.cjs.js');
var longInLists = require('./longInLists.cjs.js');

function isPrimitive(value) {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function assertObjectPredicate(filter) {
  if (!isObject(filter)) {
    const actual = JSON.stringify(filter);
    throw new errors.InputError(
      `Invalid filter predicate: top-level primitive values are not supported. Wrap the value in a field expression, e.g. { "kind": ${actual} }`
    );
  }
  const entries = Object.entries(filter);
  if (entries.some(([key]) => key.startsWith("$"))) {
    const [[key, value]] = entries;
    const valid = entries.length === 1 && (key === "$not" || (key === "$all" || key === "$any") && Array.isArray(value));
    if (!valid) {
      throw new errors.InputError(
        `Invalid filter predicate: operators must be a single $all or $any with an array, or $not, but got ${JSON.stringify(
          filter
        )}`
      );
    }
  }
}
const inSetCounts = /* @__PURE__ */ new WeakMap();
const NO_IN_SETS = {
  aliases: /* @__PURE__ */ new Map(),
  forms: /* @__PURE__ */ new WeakMap(),
  hashFrom: longInLists.hashedProbeMinValues({ smallPage: false })
};
function joinLongInSets(options) {
  const { rootQuery, onEntityIdField, knex, smallPage } = options;
  const inSets = {
    aliases: /* @__PURE__ */ new Map(),
    forms: /* @__PURE__ */ new WeakMap(),
    hashFrom: longInLists.hashedProbeMinValues({ smallPage })
  };
  for (const { filter, keyAnyCase, value, form } of longInLists.findLongInLists(
    options.filter,
    { smallPage }
  )) {
    const forms = inSets.forms.get(filter) ?? /* @__PURE__ */ new Map();
    forms.set(keyAnyCase, form);
    inSets.forms.set(filter, forms);
    const key = keyAnyCase.toLowerCase();
    const id = longInLists.longInListId(key, value);
    if (form === "join" && !inSets.aliases.has(id)) {
      const index = (inSetCounts.get(rootQuery) ?? 0) + 1;
      inSetCounts.set(rootQuery, index);
      const alias = `in_set_${index}`;
      const setQuery = knex(`search as ${searchSubquery.SEARCH_FLT_ALIAS}`).distinct(`${searchSubquery.SEARCH_FLT_ALIAS}.entity_id`).whereNotNull(`${searchSubquery.SEARCH_FLT_ALIAS}.entity_id`);
      applyFieldCondition(setQuery, key, value);
      rootQuery.leftJoin(
        setQuery.as(alias),
        `${alias}.entity_id`,
        onEntityIdField
      );
      inSets.aliases.set(id, alias);
    }
  }
  return inSets;
}
function applyPredicateEntityFilterToQuery(options) {
  const { filter, targetQuery, onEntityIdField, knex } = options;
  const inSets = options.inSets ?? (knex.client.config.client === "pg" && !options.matchLongInListsPerRow ? joinLongInSets({
    filter,
    rootQuery: targetQuery,
    onEntityIdField,
    knex,
    smallPage: Boolean(options.smallPage)
  }) : NO_IN_SETS);
  assertObjectPredicate(filter);
  if ("$not" in filter) {
    return targetQuery.andWhereNot(
      (inner) => applyPredicateEntityFilterToQuery({
        filter: filter.$not,
        targetQuery: inner,
        onEntityIdField,
        knex,
        inSets
      })
    );
  }
  if ("$all" in filter) {
    if (filter.$all.length === 0) {
      return targetQuery.andWhereRaw("1 = 1");
    }
    return targetQuery.andWhere((outer) => {
      for (const subFilter of filter.$all) {
        outer.andWhere(
          (inner) => applyPredicateEntityFilterToQuery({
            filter: subFilter,
            targetQuery: inner,
            onEntityIdField,
            knex,
            inSets
          })
        );
      }
    });
  }
  if ("$any" in filter) {
    if (filter.$any.length === 0) {
      return targetQuery.andWhereRaw("1 = 0");
    }
    return targetQuery.andWhere((outer) => {
      for (const subFilter of filter.$any) {
        outer.orWhere(
          (inner) => applyPredicateEntityFilterToQuery({
            filter: subFilter,
            targetQuery: inner,
            onEntityIdField,
            knex,
            inSets
          })
        );
      }
    });
  }
  if (Object.keys(filter).length === 0) {
    return targetQuery.andWhereRaw("1 = 1");
  }
  return targetQuery.andWhere((inner) => {
    for (const [keyAnyCase, value] of Object.entries(filter)) {
      const alias = longInLists.isLongInList(keyAnyCase, value) && inSets.aliases.get(longInLists.longInListId(keyAnyCase.toLowerCase(), value));
      if (alias) {
        inner.whereNotNull(`${alias}.entity_id`);
        continue;
      }
      if (inSets.forms.get(filter)?.get(keyAnyCase) === "in") {
        const subquery2 = knex(`search as ${searchSubquery.SEARCH_FLT_ALIAS}`).select(`${searchSubquery.SEARCH_FLT_ALIAS}.entity_id`).whereNotNull(`${searchSubquery.SEARCH_FLT_ALIAS}.entity_id`);
        applyFieldCondition(subquery2, keyAnyCase.toLowerCase(), value);
        inner.whereIn(onEntityIdField, subquery2);
        continue;
      }
      const subquery = searchSubquery.searchExists(knex, onEntityIdField);
      if (applyFieldCondition(
        subquery,
        keyAnyCase.toLowerCase(),
        value,
        inSets.hashFrom
      )) {
        inner.whereExists(subquery);
      } else {
        inner.whereNotExists(subquery);
      }
    }
  });
}
function applyFieldCondition(searchQuery, key, value, hashFrom = Infinity) {
  if (isPrimitive(value)) {
    searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, key).where(`${searchSubquery.SEARCH_FLT_ALIAS}.value`, String(value).toLowerCase());
    return true;
  }
  if (isObject(value)) {
    if ("$exists" in value) {
      searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, key);
      return Boolean(value.$exists);
    }
    if ("$in" in value) {
      const values = value.$in.map((v) => String(v).toLowerCase());
      searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, key);
      whereValueIn(searchQuery, values, hashFrom);
      return true;
    }
    if ("$hasPrefix" in value) {
      const prefix = value.$hasPrefix.toLowerCase();
      const escaped = prefix.replace(/[%_\\]/g, (c) => `\\${c}`);
      searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, key).andWhereRaw("?? like ? escape ?", [`${searchSubquery.SEARCH_FLT_ALIAS}.value`, `${escaped}%`, "\\"]);
      return true;
    }
    if ("$contains" in value) {
      const target = value.$contains;
      if (isPrimitive(target)) {
        searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, key).where(`${searchSubquery.SEARCH_FLT_ALIAS}.value`, String(target).toLowerCase());
        return true;
      }
      if (isObject(target)) {
        if (key === "relations") {
          applyContainsRelation(searchQuery, target, hashFrom);
          return true;
        }
        throw new errors.InputError(
          `Object form of $contains is not supported for field "${key}"`
        );
      }
      const actual2 = JSON.stringify(target);
      throw new errors.InputError(
        `Unsupported $contains target for field "${key}": ${actual2}`
      );
    }
  }
  const actual = JSON.stringify(value);
  throw new errors.InputError(
    `Invalid filter predicate value for field "${key}": expected a primitive value, $exists, $in, $hasPrefix, or $contains operator, but got ${actual}`
  );
}
function applyContainsRelation(searchQuery, rawTarget, hashFrom = Infinity) {
  function parseStringOrIn(value) {
    if (typeof value === "string") {
      return [value.toLowerCase()];
    }
    if (isObject(value) && Object.keys(value).length === 1 && "$in" in value && Array.isArray(value.$in) && value.$in.every((v) => typeof v === "string")) {
      if (value.$in.length === 0) {
        throw new errors.InputError(
          `Empty "$in" array for $contains on "relations" is not allowed`
        );
      }
      return value.$in.map((v) => v.toLowerCase());
    }
    const actual = JSON.stringify(value);
    throw new errors.InputError(
      `Unsupported value in $contains for "relations": expected a string or { "$in": [strings] }, but got ${actual}`
    );
  }
  let type;
  let targetRef;
  for (const [rawKey, value] of Object.entries(rawTarget)) {
    const key = rawKey.toLowerCase();
    if (key === "type") {
      if (type !== void 0) {
        throw new errors.InputError(
          `Duplicate key "${rawKey}" in $contains for "relations"`
        );
      }
      if (typeof value !== "string") {
        throw new errors.InputError(
          `The $contains operator for "relations" requires a "type" string property`
        );
      }
      type = value;
    } else if (key === "targetref") {
      if (targetRef !== void 0) {
        throw new errors.InputError(
          `Duplicate key "${rawKey}" in $contains for "relations"`
        );
      }
      targetRef = parseStringOrIn(value);
    } else {
      throw new errors.InputError(
        `Unsupported key "${rawKey}" in $contains for "relations". Only "type" and "targetRef" are supported`
      );
    }
  }
  if (!type) {
    throw new errors.InputError(
      `The $contains operator for "relations" requires a "type" string property`
    );
  }
  searchQuery.where(`${searchSubquery.SEARCH_FLT_ALIAS}.key`, `relations.${type.toLowerCase()}`);
  if (targetRef) {
    whereValueIn(searchQuery, targetRef, hashFrom);
  }
}
function whereValueIn(searchQuery, values, hashFrom) {
  const client = searchQuery.client;
  if (values.length >= hashFrom && client.config.client === "pg") {
    searchQuery.whereRaw("(?? || '') = ANY(?::text[])", [`${searchSubquery.SEARCH_FLT_ALIAS}.value`, values]).offset(client.raw("0"));
  } else {
    searchQuery.where(util.whereInArray(`${searchSubquery.SEARCH_FLT_ALIAS}.value`, values));
  }
}

exports.applyFieldCondition = applyFieldCondition;
exports.applyPredicateEntityFilterToQuery = applyPredicateEntityFilterToQuery;
exports.assertObjectPredicate = assertObjectPredicate;
exports.isObject = isObject;
