'use strict';

var config = require('@backstage/config');
var configLoader = require('@backstage/config-loader');
var pluginDevtoolsCommon = require('@backstage/plugin-devtools-common');
var cliCommon = require('@backstage/cli-common');
var getPackages = require('@manypkg/get-packages');
var ping = require('ping');
var os = require('node:os');
var fs = require('fs-extra');
var Lockfile = require('../util/Lockfile.cjs.js');
var lodash = require('lodash');
var errors = require('@backstage/errors');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var ping__default = /*#__PURE__*/_interopDefaultCompat(ping);
var os__default = /*#__PURE__*/_interopDefaultCompat(os);
var fs__default = /*#__PURE__*/_interopDefaultCompat(fs);

class DevToolsBackendApi {
  logger;
  config;
  constructor(logger, config) {
    this.logger = logger;
    this.config = config;
  }
  async listExternalDependencyDetails() {
    const result = [];
    const endpoints = this.config.getOptional(
      "devTools.externalDependencies.endpoints"
    );
    if (!endpoints) {
      return result;
    }
    for (const endpoint of endpoints) {
      this.logger?.info(
        `Checking external dependency "${endpoint.name}" at "${endpoint.target}"`
      );
      switch (endpoint.type) {
        case "ping": {
          const pingResult = await this.pingExternalDependency(endpoint);
          result.push(pingResult);
          break;
        }
        case "fetch": {
          const fetchResult = await this.fetchExternalDependency(endpoint);
          result.push(fetchResult);
          break;
        }
        default:
          return result;
      }
    }
    return result;
  }
  async fetchExternalDependency(endpoint) {
    let status;
    let error;
    await fetch(endpoint.target).then((res) => {
      status = res.status === 200 ? pluginDevtoolsCommon.ExternalDependencyStatus.healthy : pluginDevtoolsCommon.ExternalDependencyStatus.unhealthy;
      this.logger.debug(
        `Fetch for ${endpoint.name} resulted in status code "${res.status}"`
      );
    }).catch((err) => {
      this.logger.error(`Fetch failed for ${endpoint.name} - ${err.message}`);
      error = err.message;
    });
    const result = {
      name: endpoint.name,
      type: endpoint.type,
      target: endpoint.target,
      status: status ?? pluginDevtoolsCommon.ExternalDependencyStatus.unhealthy,
      error: error ?? void 0
    };
    return result;
  }
  async pingExternalDependency(endpoint) {
    const pingResult = await ping__default.default.promise.probe(endpoint.target);
    let error;
    if (pingResult.packetLoss === "100.000" || pingResult.packetLoss === "unknown") {
      this.logger.error(
        `Ping failed for ${endpoint.name} - ${pingResult.output}`
      );
      error = pingResult.output === "" ? `${endpoint.target} - Unknown` : pingResult.output;
    }
    this.logger.debug(
      `Ping results for ${endpoint.name}: ${pingResult.output}`
    );
    const result = {
      name: endpoint.name,
      type: endpoint.type,
      target: endpoint.target,
      status: pingResult.alive ? pluginDevtoolsCommon.ExternalDependencyStatus.healthy : pluginDevtoolsCommon.ExternalDependencyStatus.unhealthy,
      error: error ?? void 0
    };
    return result;
  }
  async listConfig() {
    const paths = cliCommon.findPaths(__dirname);
    const { packages } = await getPackages.getPackages(paths.targetDir);
    const schemaFunc = async () => {
      return await configLoader.loadConfigSchema({
        dependencies: packages.map((p) => p.packageJson.name)
      });
    };
    const schemaMemo = lodash.memoize(schemaFunc);
    const schema = await schemaMemo();
    const configInfo = {
      config: void 0,
      error: void 0
    };
    try {
      const config$1 = {
        data: this.config.get(),
        context: "inline"
      };
      const sanitizedConfigs = schema.process([config$1], {
        ignoreSchemaErrors: false,
        valueTransform: (value, context) => context.visibility === "secret" ? "<secret>" : value
      });
      const data = config.ConfigReader.fromConfigs(sanitizedConfigs).get();
      configInfo.config = data;
    } catch (error) {
      const err = errors.toError(error);
      const config$1 = {
        data: this.config.get(),
        context: "inline"
      };
      const sanitizedConfigs = schema.process([config$1], {
        ignoreSchemaErrors: true,
        valueTransform: (value, context) => context.visibility === "secret" ? "<secret>" : value
      });
      const data = config.ConfigReader.fromConfigs(sanitizedConfigs).get();
      configInfo.config = data;
      configInfo.error = {
        name: err.name,
        message: err.message,
        messages: err.messages,
        stack: err.stack
      };
    }
    return configInfo;
  }
  async listInfo() {
    const operatingSystem = `${os__default.default.hostname()}: ${os__default.default.type} ${os__default.default.release} - ${os__default.default.platform}/${os__default.default.arch}`;
    const usedMem = Math.floor((os__default.default.totalmem() - os__default.default.freemem()) / (1024 * 1024));
    const resources = `Memory: ${usedMem}/${Math.floor(
      os__default.default.totalmem() / (1024 * 1024)
    )}MB - Load: ${os__default.default.loadavg().map((v) => v.toFixed(2)).join("/")}`;
    const nodeJsVersion = process.version;
    const paths = cliCommon.findPaths(__dirname);
    const backstageFile = paths.resolveTargetRoot("backstage.json");
    let backstageJson = void 0;
    if (fs__default.default.existsSync(backstageFile)) {
      const buffer = await fs__default.default.readFile(backstageFile);
      backstageJson = JSON.parse(buffer.toString());
    }
    const lockfilePath = paths.resolveTargetRoot("yarn.lock");
    const lockfile = await Lockfile.Lockfile.load(lockfilePath);
    const prefixes = ["@backstage", "@internal"].concat(
      this.config.getOptionalStringArray("devTools.info.packagePrefixes") ?? []
    );
    const deps = [...lockfile.keys()].filter(
      (n) => prefixes.some((prefix) => n.startsWith(prefix))
    );
    const infoDependencies = [];
    for (const dep of deps) {
      const versions = new Set(lockfile.get(dep).map((i) => i.version));
      const infoDependency = {
        name: dep,
        versions: [...versions].join(", ")
      };
      infoDependencies.push(infoDependency);
    }
    const info = {
      operatingSystem: operatingSystem ?? "N/A",
      resourceUtilization: resources ?? "N/A",
      nodeJsVersion: nodeJsVersion ?? "N/A",
      backstageVersion: backstageJson && backstageJson.version ? backstageJson.version : "N/A",
      dependencies: infoDependencies
    };
    return info;
  }
}

exports.DevToolsBackendApi = DevToolsBackendApi;
