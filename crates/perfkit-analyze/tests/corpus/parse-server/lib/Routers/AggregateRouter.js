"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = exports.AggregateRouter = void 0;
var _node = _interopRequireDefault(require("parse/node"));
var middleware = _interopRequireWildcard(require("../middlewares"));
var _rest = _interopRequireDefault(require("../rest"));
var _ClassesRouter = _interopRequireDefault(require("./ClassesRouter"));
var _UsersRouter = _interopRequireDefault(require("./UsersRouter"));
function _interopRequireWildcard(e, t) { if ("function" == typeof WeakMap) var r = new WeakMap(), n = new WeakMap(); return (_interopRequireWildcard = function (e, t) { if (!t && e && e.__esModule) return e; var o, i, f = { __proto__: null, default: e }; if (null === e || "object" != typeof e && "function" != typeof e) return f; if (o = t ? n : r) { if (o.has(e)) return o.get(e); o.set(e, f); } for (const t in e) "default" !== t && {}.hasOwnProperty.call(e, t) && ((i = (o = Object.defineProperty) && Object.getOwnPropertyDescriptor(e, t)) && (i.get || i.set) ? o(f, t, i) : f[t] = e[t]); return f; })(e, t); }
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
class AggregateRouter extends _ClassesRouter.default {
  async handleFind(req) {
    if (req.auth && req.auth.isReadOnly && req.config && !req.config.allowAggregationForReadOnlyMasterKey) {
      throw new _node.default.Error(_node.default.Error.OPERATION_FORBIDDEN, 'Cannot run an aggregation pipeline when using the readOnlyMasterKey');
    }
    const body = Object.assign(req.body || {}, _ClassesRouter.default.JSONFromQuery(req.query));
    const options = {};
    if (body.distinct) {
      options.distinct = String(body.distinct);
    }
    if (body.hint) {
      options.hint = body.hint;
      delete body.hint;
    }
    if (body.explain) {
      options.explain = body.explain;
      delete body.explain;
    }
    if (body.comment) {
      options.comment = body.comment;
      delete body.comment;
    }
    if (body.readPreference) {
      options.readPreference = body.readPreference;
      delete body.readPreference;
    }
    if (typeof body.rawValues === 'boolean') {
      options.rawValues = body.rawValues;
      delete body.rawValues;
    }
    if (typeof body.rawFieldNames === 'boolean') {
      options.rawFieldNames = body.rawFieldNames;
      delete body.rawFieldNames;
    }
    const queryOptions = req.config && req.config.query || {};
    if (options.rawValues === undefined && typeof queryOptions.aggregationRawValues === 'boolean') {
      options.rawValues = queryOptions.aggregationRawValues;
    }
    if (options.rawFieldNames === undefined && typeof queryOptions.aggregationRawFieldNames === 'boolean') {
      options.rawFieldNames = queryOptions.aggregationRawFieldNames;
    }
    options.pipeline = AggregateRouter.getPipeline(body);
    if (typeof body.where === 'string') {
      try {
        body.where = JSON.parse(body.where);
      } catch {
        throw new _node.default.Error(_node.default.Error.INVALID_JSON, 'where parameter is not valid JSON');
      }
    }
    try {
      const response = await _rest.default.find(req.config, req.auth, this.className(req), body.where, options, req.info.context);
      if (!options.rawValues && !options.rawFieldNames) {
        for (const result of response.results) {
          if (typeof result === 'object') {
            _UsersRouter.default.removeHiddenProperties(result);
          }
        }
      }
      return {
        response
      };
    } catch (e) {
      if (e instanceof _node.default.Error) {
        throw e;
      }
      throw new _node.default.Error(_node.default.Error.INVALID_QUERY, e.message);
    }
  }

  /* Builds a pipeline from the body. Originally the body could be passed as a single object,
   * and now we support many options.
   *
   * Array
   *
   * body: [{
   *   group: { objectId: '$name' },
   * }]
   *
   * Object
   *
   * body: {
   *   group: { objectId: '$name' },
   * }
   *
   *
   * Pipeline Operator with an Array or an Object
   *
   * body: {
   *   pipeline: {
   *     $group: { objectId: '$name' },
   *   }
   * }
   *
   */
  static getPipeline(body) {
    let pipeline = body.pipeline || body;
    if (!Array.isArray(pipeline)) {
      pipeline = Object.keys(pipeline).filter(key => pipeline[key] !== undefined).map(key => {
        return {
          [key]: pipeline[key]
        };
      });
    }
    return pipeline.map(stage => {
      const keys = Object.keys(stage);
      if (keys.length !== 1) {
        throw new _node.default.Error(_node.default.Error.INVALID_QUERY, `Pipeline stages should only have one key but found ${keys.join(', ')}.`);
      }
      return AggregateRouter.transformStage(keys[0], stage);
    });
  }
  static transformStage(stageName, stage) {
    const skipKeys = ['distinct', 'where'];
    if (skipKeys.includes(stageName)) {
      return;
    }
    if (stageName[0] !== '$') {
      throw new _node.default.Error(_node.default.Error.INVALID_QUERY, `Invalid aggregate stage '${stageName}'.`);
    }
    if (stageName === '$group') {
      if (Object.prototype.hasOwnProperty.call(stage[stageName], 'objectId')) {
        throw new _node.default.Error(_node.default.Error.INVALID_QUERY, `Cannot use 'objectId' in aggregation stage $group.`);
      }
      if (!Object.prototype.hasOwnProperty.call(stage[stageName], '_id')) {
        throw new _node.default.Error(_node.default.Error.INVALID_QUERY, `Invalid parameter for query: group. Missing key _id`);
      }
    }
    return {
      [stageName]: stage[stageName]
    };
  }
  mountRoutes() {
    this.route('GET', '/aggregate/:className', middleware.promiseEnforceMasterKeyAccess, req => {
      return this.handleFind(req);
    });
  }
}
exports.AggregateRouter = AggregateRouter;
var _default = exports.default = AggregateRouter;
