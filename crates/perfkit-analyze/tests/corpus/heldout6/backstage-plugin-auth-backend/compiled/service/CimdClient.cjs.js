'use strict';

var errors = require('@backstage/errors');
var promises = require('node:dns/promises');
var ipaddr = require('ipaddr.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var ipaddr__default = /*#__PURE__*/_interopDefaultCompat(ipaddr);

const FETCH_TIMEOUT_MS = 1e4;
const MAX_RESPONSE_BYTES = 64 * 1024;
const FORBIDDEN_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt"
];
function validateCimdUrl(clientId) {
  if (/\/\.\.?(\/|$)/.test(clientId)) {
    throw new errors.InputError(
      "Invalid client_id: path must not contain dot segments"
    );
  }
  let url;
  try {
    url = new URL(clientId);
  } catch {
    throw new errors.InputError("Invalid client_id: not a valid URL");
  }
  const isHttps = url.protocol === "https:";
  const isLocalHttp = url.protocol === "http:" && (url.hostname === "localhost" || url.hostname === "127.0.0.1") && process.env.NODE_ENV === "development";
  if (!isHttps && !isLocalHttp) {
    throw new errors.InputError(
      "Invalid client_id: must use HTTPS (or HTTP for localhost in development)"
    );
  }
  if (url.pathname === "" || url.pathname === "/") {
    throw new errors.InputError("Invalid client_id: must have a path component");
  }
  if (url.hash) {
    throw new errors.InputError("Invalid client_id: must not contain a fragment");
  }
  if (url.username || url.password) {
    throw new errors.InputError("Invalid client_id: must not contain credentials");
  }
  if (url.search) {
    throw new errors.InputError("Invalid client_id: must not contain a query string");
  }
  return url;
}
function isNonPublicIp(ip) {
  try {
    const addr = ipaddr__default.default.parse(ip);
    const range = addr.range();
    return range !== "unicast";
  } catch {
    return true;
  }
}
async function validateHostNotPrivate(hostname) {
  try {
    const addresses = await promises.lookup(hostname, { all: true });
    const nonPublicAddr = addresses.find((addr) => isNonPublicIp(addr.address));
    if (nonPublicAddr) {
      throw new errors.InputError("Invalid client_id URL");
    }
  } catch (error) {
    if (errors.isError(error) && error.name === "InputError") throw error;
    throw new errors.InputError("Failed to fetch client metadata");
  }
}
function validateMetadata(metadata, expectedClientId) {
  if (metadata.client_id !== expectedClientId) {
    throw new errors.InputError("Client ID mismatch in metadata document");
  }
  if (!Array.isArray(metadata.redirect_uris) || metadata.redirect_uris.length === 0) {
    throw new errors.InputError("Metadata must include at least one redirect_uri");
  }
  for (const uri of metadata.redirect_uris) {
    if (!URL.canParse(uri)) {
      throw new errors.InputError(`Invalid redirect_uri in metadata: ${uri}`);
    }
  }
  if (metadata.client_secret !== void 0 || metadata.client_secret_expires_at !== void 0) {
    throw new errors.InputError("Client metadata must not contain client_secret");
  }
  if (metadata.token_endpoint_auth_method && FORBIDDEN_AUTH_METHODS.includes(metadata.token_endpoint_auth_method)) {
    throw new errors.InputError("Client metadata uses forbidden auth method");
  }
}
async function readCappedResponseBody(response) {
  if (!response.body) {
    return "";
  }
  const chunks = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += chunk.byteLength;
    if (received > MAX_RESPONSE_BYTES) {
      throw new errors.InputError("Client metadata document too large");
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}
async function fetchCimdMetadata(opts) {
  const url = opts.validatedUrl ?? validateCimdUrl(opts.clientId);
  const isLocalhostDev = (url.hostname === "localhost" || url.hostname === "127.0.0.1") && process.env.NODE_ENV === "development";
  if (!isLocalhostDev && !opts.skipSsrfCheck) {
    await validateHostNotPrivate(url.hostname);
  }
  let response;
  try {
    response = await fetch(url.toString(), {
      method: "GET",
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: "error"
    });
  } catch {
    throw new errors.InputError("Failed to fetch client metadata");
  }
  if (!response.ok) {
    throw new errors.InputError("Failed to fetch client metadata");
  }
  const contentLength = Number(response.headers.get("content-length"));
  if (contentLength > MAX_RESPONSE_BYTES) {
    throw new errors.InputError("Client metadata document too large");
  }
  let metadata;
  try {
    const responseBody = await readCappedResponseBody(response);
    metadata = JSON.parse(responseBody);
  } catch (error) {
    if (errors.isError(error) && error.name === "InputError") {
      throw error;
    }
    throw new errors.InputError("Invalid client metadata document");
  }
  validateMetadata(metadata, opts.clientId);
  return {
    clientId: metadata.client_id,
    clientName: metadata.client_name || metadata.client_id,
    redirectUris: metadata.redirect_uris,
    responseTypes: metadata.response_types || ["code"],
    grantTypes: metadata.grant_types || ["authorization_code"],
    scope: metadata.scope
  };
}

exports.fetchCimdMetadata = fetchCimdMetadata;
exports.validateCimdUrl = validateCimdUrl;
