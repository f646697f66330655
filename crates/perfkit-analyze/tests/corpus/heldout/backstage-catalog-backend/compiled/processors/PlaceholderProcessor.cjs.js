'use strict';

var integration = require('@backstage/integration');
var parseGitUrl = require('git-url-parse');
var yaml = require('yaml');
var pluginCatalogNode = require('@backstage/plugin-catalog-node');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var parseGitUrl__default = /*#__PURE__*/_interopDefaultCompat(parseGitUrl);
var yaml__default = /*#__PURE__*/_interopDefaultCompat(yaml);

class PlaceholderProcessor {
  options;
  constructor(options) {
    this.options = options;
  }
  getProcessorName() {
    return "PlaceholderProcessor";
  }
  async preProcessEntity(entity, location, emit) {
    let firstError;
    const process = async (data) => {
      if (!data || !(data instanceof Object)) {
        return [data, false];
      }
      if (Array.isArray(data)) {
        const items = await settleAll(data.map((item) => process(item)));
        return items.every(([, changed]) => !changed) ? [data, false] : [items.map(([item]) => item), true];
      }
      const keys = Object.keys(data);
      if (!keys.some((k) => k.startsWith("$"))) {
        const entries = await settleAll(
          Object.entries(data).map(
            ([k, v]) => process(v).then((vp) => [k, vp])
          )
        );
        return entries.every(([, [, changed]]) => !changed) ? [data, false] : [Object.fromEntries(entries.map(([k, [v]]) => [k, v])), true];
      } else if (keys.length !== 1) {
        return [data, false];
      }
      const resolverKey = keys[0].substring(1);
      const resolverValue = data[keys[0]];
      const resolver = this.options.resolvers[resolverKey];
      if (!resolver) {
        return [data, false];
      }
      const read = async (url) => {
        assertSameRepository(url, location.target, this.options.integrations);
        const response = await this.options.reader.readUrl(url);
        const buffer = await response.buffer();
        return buffer;
      };
      const resolveUrl = (url, base) => this.options.integrations.resolveUrl({
        url,
        base
      });
      try {
        return [
          await resolver({
            key: resolverKey,
            value: resolverValue,
            baseUrl: location.target,
            read,
            resolveUrl,
            emit
          }),
          true
        ];
      } catch (error) {
        firstError ??= { error };
        throw error;
      }
    };
    try {
      const [result] = await process(entity);
      return result;
    } catch (error) {
      throw firstError ? firstError.error : error;
    }
  }
}
async function settleAll(promises) {
  await Promise.allSettled(promises);
  return Promise.all(promises);
}
async function yamlPlaceholderResolver(params) {
  const { content, url } = await readTextLocation(params);
  params.emit(pluginCatalogNode.processingResult.refresh(`url:${url}`));
  const enableYamlMerge = false;
  const parseOptions = { merge: enableYamlMerge };
  let documents;
  try {
    documents = yaml__default.default.parseAllDocuments(content, parseOptions).filter((d) => d);
  } catch (e) {
    throw new Error(
      `Placeholder $${params.key} failed to parse YAML data at ${params.value}, ${e}`
    );
  }
  if (documents.length !== 1) {
    throw new Error(
      `Placeholder $${params.key} expected to find exactly one document of data at ${params.value}, found ${documents.length}`
    );
  }
  const document = documents[0];
  if (document.errors?.length) {
    throw new Error(
      `Placeholder $${params.key} found an error in the data at ${params.value}, ${document.errors[0]}`
    );
  }
  return document.toJSON();
}
async function jsonPlaceholderResolver(params) {
  const { content, url } = await readTextLocation(params);
  params.emit(pluginCatalogNode.processingResult.refresh(`url:${url}`));
  try {
    return JSON.parse(content);
  } catch (e) {
    throw new Error(
      `Placeholder $${params.key} failed to parse JSON data at ${params.value}, ${e}`
    );
  }
}
async function textPlaceholderResolver(params) {
  const { content, url } = await readTextLocation(params);
  params.emit(pluginCatalogNode.processingResult.refresh(`url:${url}`));
  return content;
}
async function readTextLocation(params) {
  const newUrl = relativeUrl(params);
  try {
    const data = await params.read(newUrl);
    return { content: data.toString("utf-8"), url: newUrl };
  } catch (e) {
    throw new Error(
      `Placeholder $${params.key} could not read location ${params.value}, ${e}`
    );
  }
}
const RELIABLE_FILE_MARKER_PROVIDERS = /* @__PURE__ */ new Set([
  "github",
  "gitlab",
  "bitbucketCloud"
]);
function assertSameRepository(resolvedUrl, baseUrl, integrations) {
  let resolvedHost;
  let baseHost;
  let baseProtocol;
  try {
    resolvedHost = new URL(resolvedUrl).host;
    const parsedBase = new URL(baseUrl);
    baseHost = parsedBase.host;
    baseProtocol = parsedBase.protocol;
  } catch {
  }
  if (resolvedHost && baseHost && integrations.byUrl(resolvedUrl) && resolvedHost !== baseHost) {
    throw new Error(
      `Placeholder may only reference files from the same repository as the entity`
    );
  }
  if (baseProtocol !== "http:" && baseProtocol !== "https:") {
    return;
  }
  if (integrations.byUrl(resolvedUrl)?.type === "azure") {
    let sameAzureRepository = false;
    try {
      sameAzureRepository = azureRepositoryIdentity(resolvedUrl) === azureRepositoryIdentity(baseUrl);
    } catch {
    }
    if (!sameAzureRepository) {
      throw new Error(
        `Placeholder may only reference files from the same repository as the entity`
      );
    }
    return;
  }
  let resolved;
  let base;
  try {
    resolved = parseGitUrl__default.default(resolvedUrl);
    base = parseGitUrl__default.default(baseUrl);
  } catch {
    return;
  }
  for (const parsed of [resolved, base]) {
    if (parsed.owner?.includes("%") || parsed.name?.includes("%") || parsed.owner?.split("/").includes("..") || parsed.name?.split("/").includes("..")) {
      throw new Error(
        `Placeholder may only reference files from the same repository as the entity`
      );
    }
  }
  const hasReliableFileMarkers = RELIABLE_FILE_MARKER_PROVIDERS.has(
    integrations.byUrl(resolvedUrl)?.type ?? ""
  );
  if (!resolved.owner || !resolved.name || !base.owner || !base.name || (hasReliableFileMarkers ? !resolved.filepath && !base.filepath : !resolved.filepath || !base.filepath)) {
    return;
  }
  if (!integrations.byUrl(resolvedUrl) && resolved.resource !== base.resource) {
    return;
  }
  if (resolved.resource !== base.resource || resolved.full_name !== base.full_name) {
    throw new Error(
      `Placeholder may only reference files from the same repository as the entity`
    );
  }
}
function azureRepositoryIdentity(url) {
  const { host, pathname } = new URL(integration.getAzureDownloadUrl(url));
  return `${host}${pathname}`;
}
function relativeUrl({
  key,
  value,
  baseUrl,
  resolveUrl
}) {
  if (typeof value !== "string") {
    throw new Error(
      `Placeholder $${key} expected a string value parameter, in the form of an absolute URL or a relative path`
    );
  }
  try {
    const resolved = resolveUrl(value, baseUrl);
    return resolved;
  } catch (e) {
    throw new Error(
      `Placeholder $${key} could not form a URL out of ${baseUrl} and ${value}, ${e}`
    );
  }
}

exports.PlaceholderProcessor = PlaceholderProcessor;
exports.jsonPlaceholderResolver = jsonPlaceholderResolver;
exports.textPlaceholderResolver = textPlaceholderResolver;
exports.yamlPlaceholderResolver = yamlPlaceholderResolver;
