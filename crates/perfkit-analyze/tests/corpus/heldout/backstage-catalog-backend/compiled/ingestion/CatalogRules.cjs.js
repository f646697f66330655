'use strict';

var path = require('node:path');
var minimatch = require('minimatch');
var v3 = require('zod/v3');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var path__default = /*#__PURE__*/_interopDefaultCompat(path);

const allowRuleParser = v3.z.array(
  v3.z.object({
    kind: v3.z.string(),
    "spec.type": v3.z.string().optional()
  }).or(v3.z.string()).transform((val) => typeof val === "string" ? { kind: val } : val)
);
class DefaultCatalogRulesEnforcer {
  /**
   * Default rules used by the catalog.
   *
   * Denies any location from specifying user or group entities.
   */
  static defaultRules = [
    {
      allow: ["Component", "API", "Location"].map((kind) => ({ kind }))
    }
  ];
  /**
   * Loads catalog rules from config.
   *
   * This reads `catalog.rules` and defaults to the default rules if no value is present.
   * The value of the config should be a list of config objects, each with a single `allow`
   * field which in turn is a list of entity kinds to allow.
   *
   * If there is no matching rule to allow an ingested entity, it will be rejected by the catalog.
   *
   * It also reads in rules from `catalog.locations`, where each location can have a list
   * of rules for that specific location, specified in a `rules` field.
   *
   * For example:
   *
   * ```yaml
   * catalog:
   *   rules:
   *   - allow: [Component, API]
   *   - allow:
   *     - kind: Resource
   *       'spec.type': database
   *   - allow: [Template]
   *     locations:
   *       - type: url
   *         pattern: https://github.com/org/*\/blob/master/template.yaml
   *   - allow: [Location]
   *     locations:
   *       - type: url
   *         pattern: https://github.com/org/repo/blob/master/location.yaml
   *
   *   locations:
   *   - type: url
   *     target: https://github.com/org/repo/blob/master/users.yaml
   *     rules:
   *       - allow: [User, Group]
   *   - type: url
   *     target: https://github.com/org/repo/blob/master/systems.yaml
   *     rules:
   *       - allow: [System]
   * ```
   */
  static fromConfig(config) {
    const rules = new Array();
    if (config.has("catalog.rules")) {
      const globalRules = config.getConfigArray("catalog.rules").map((ruleConf) => ({
        allow: allowRuleParser.parse(ruleConf.get("allow")),
        locations: ruleConf.getOptionalConfigArray("locations")?.map((locationConfig) => {
          const location = {
            pattern: locationConfig.getOptionalString("pattern"),
            type: locationConfig.getString("type"),
            exact: locationConfig.getOptionalString("exact")
          };
          if (location.pattern && location.exact) {
            throw new Error(
              "A catalog rule location cannot have both exact and pattern values"
            );
          }
          if (location.type === "url" && location.exact) {
            location.exact = canonicalUrlTarget(location.exact) ?? location.exact;
          }
          return location;
        })
      }));
      rules.push(...globalRules);
    } else {
      rules.push(...DefaultCatalogRulesEnforcer.defaultRules);
    }
    if (config.has("catalog.locations")) {
      const locationRules = config.getConfigArray("catalog.locations").flatMap((locConf) => {
        if (!locConf.has("rules")) {
          return [];
        }
        const type = locConf.getString("type");
        const exact = canonicalTarget(type, locConf.getString("target"));
        return locConf.getConfigArray("rules").map((ruleConf) => ({
          allow: ruleConf.getStringArray("allow").map((kind) => ({ kind })),
          locations: [{ type, exact }]
        }));
      });
      rules.push(...locationRules);
    }
    return new DefaultCatalogRulesEnforcer(rules);
  }
  rules;
  constructor(rules) {
    this.rules = rules;
  }
  /**
   * Checks whether a specific entity/location combination is allowed
   * according to the configured rules.
   *
   * URL targets are matched in a canonical form derived from the same URL
   * resolution that URL readers use when they fetch the target, with
   * remaining percent-encodings decoded. This ensures that a URL can't be
   * crafted to look like it belongs to one location scope for rule matching
   * purposes, while being resolved to a different scope when its content is
   * fetched.
   */
  isAllowed(entity, location) {
    for (const rule of this.rules) {
      if (!this.matchLocation(location, rule.locations)) {
        continue;
      }
      if (this.matchEntity(entity, rule.allow)) {
        return true;
      }
    }
    return false;
  }
  matchLocation(location, matchers) {
    if (!matchers) {
      return true;
    }
    let target = location?.target;
    if (location?.type === "url" && typeof target === "string") {
      const canonical = canonicalUrlTarget(target);
      if (canonical === void 0) {
        return false;
      }
      target = canonical;
    }
    for (const matcher of matchers) {
      if (matcher.type !== location?.type) {
        continue;
      }
      if (matcher.exact && matcher.exact !== target) {
        continue;
      }
      if (matcher.pattern && !minimatch.minimatch(target, matcher.pattern, {
        nocase: true,
        dot: true
      })) {
        continue;
      }
      return true;
    }
    return false;
  }
  matchEntity(entity, matchers) {
    if (!matchers) {
      return true;
    }
    for (const matcher of matchers) {
      if (entity.kind?.toLowerCase() !== matcher.kind.toLowerCase()) {
        continue;
      }
      if (matcher["spec.type"]) {
        if (typeof entity.spec?.type !== "string") {
          continue;
        }
        if (matcher["spec.type"].toLowerCase() !== entity.spec.type.toLowerCase()) {
          continue;
        }
      }
      return true;
    }
    return false;
  }
}
function resolveTarget(type, target) {
  if (type !== "file") {
    return target;
  }
  return path__default.default.resolve(target);
}
function canonicalTarget(type, target) {
  const resolved = resolveTarget(type, target);
  if (type !== "url") {
    return resolved;
  }
  return canonicalUrlTarget(resolved) ?? resolved;
}
function canonicalUrlTarget(url) {
  try {
    const parsed = new URL(url);
    const canonicalPath = decodePathSegments(parsed.pathname).replace(/%2e/gi, ".").replace(/%2f/gi, "/").replace(/%5c|\\/gi, "/");
    return `${parsed.protocol}//${parsed.host}${canonicalPath}${decodeOrKeep(
      parsed.search
    )}${decodeOrKeep(parsed.hash)}`;
  } catch {
    return void 0;
  }
}
function decodeOrKeep(value) {
  try {
    return decodeURI(value);
  } catch {
    return value;
  }
}
function decodePathSegments(pathname) {
  return pathname.split(/\/|%2f|%5c/i).map(decodeOrKeep).join("/");
}

exports.DefaultCatalogRulesEnforcer = DefaultCatalogRulesEnforcer;
