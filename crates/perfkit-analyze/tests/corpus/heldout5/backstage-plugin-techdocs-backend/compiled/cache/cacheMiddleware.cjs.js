'use strict';

var router = require('express-promise-router');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var router__default = /*#__PURE__*/_interopDefaultCompat(router);

const CACHE_VERSION_HEADER = "x-backstage-techdocs-cache-version";
const CACHE_VERSION = "1";
const HEADER_SEPARATOR = Buffer.from("\r\n\r\n");
const omittedCachedHeaders = /* @__PURE__ */ new Set([
  "connection",
  "content-encoding",
  "content-length",
  "date",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade"
]);
function serializeCachedResponse(statusCode, headers, body) {
  const headerLines = Object.entries({
    ...headers,
    [CACHE_VERSION_HEADER]: CACHE_VERSION,
    "content-length": body.length,
    connection: "close"
  }).flatMap(
    ([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => `${name}: ${item}`)
  );
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${statusCode} OK\r
${headerLines.join("\r\n")}`,
      "latin1"
    ),
    HEADER_SEPARATOR,
    body
  ]);
}
function deserializeCachedResponse(data) {
  if (!data) {
    return void 0;
  }
  try {
    const headersEnd = data.indexOf(HEADER_SEPARATOR);
    if (headersEnd === -1) {
      return void 0;
    }
    const [statusLine, ...headerLines] = data.toString("latin1", 0, headersEnd).split("\r\n");
    if (statusLine !== "HTTP/1.1 200 OK") {
      return void 0;
    }
    const headers = {};
    for (const line of headerLines) {
      const separator = line.indexOf(":");
      if (separator <= 0) {
        return void 0;
      }
      const name = line.slice(0, separator).trim().toLowerCase();
      const value = line.slice(separator + 1).trim();
      const existing = headers[name];
      if (existing === void 0) {
        headers[name] = value;
      } else if (Array.isArray(existing)) {
        headers[name] = [...existing, value];
      } else {
        headers[name] = [String(existing), value];
      }
    }
    if (headers[CACHE_VERSION_HEADER] !== CACHE_VERSION) {
      return void 0;
    }
    delete headers[CACHE_VERSION_HEADER];
    const body = data.subarray(headersEnd + HEADER_SEPARATOR.length);
    if (headers["content-length"] !== String(body.length)) {
      return void 0;
    }
    delete headers["content-length"];
    delete headers.connection;
    return {
      statusCode: 200,
      headers,
      body
    };
  } catch {
    return void 0;
  }
}
function getCacheableHeaders(headers) {
  return Object.fromEntries(
    Object.entries(headers).filter(
      (entry) => entry[1] !== void 0 && !omittedCachedHeaders.has(entry[0].toLowerCase())
    )
  );
}
function captureWriteHeadHeaders(target, headers) {
  if (!headers) {
    return;
  }
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      target[name.toLowerCase()] = value;
    }
    return;
  }
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    if (typeof name !== "string" || value === void 0) {
      continue;
    }
    const normalizedName = name.toLowerCase();
    const existing = target[normalizedName];
    if (existing === void 0) {
      target[normalizedName] = value;
    } else {
      target[normalizedName] = [
        ...Array.isArray(existing) ? existing : [String(existing)],
        ...Array.isArray(value) ? value : [String(value)]
      ];
    }
  }
}
function captureChunk(chunks, chunk, encoding) {
  if (chunk === void 0) {
    return;
  }
  chunks.push(
    typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : void 0) : Buffer.from(chunk)
  );
}
const createCacheMiddleware = ({
  cache
}) => {
  const cacheMiddleware = router__default.default();
  cacheMiddleware.use(async (req, res, next) => {
    const isCacheable = req.path.startsWith("/static/docs/");
    const isGetRequest = req.method === "GET";
    if (!isCacheable) {
      next();
      return;
    }
    const reqPath = decodeURI(req.path.match(/\/static\/docs\/(.*)$/)[1]);
    const cached = deserializeCachedResponse(await cache.get(reqPath));
    if (cached) {
      res.status(cached.statusCode);
      for (const [name, value] of Object.entries(cached.headers)) {
        res.setHeader(name, value);
      }
      res.setHeader("Content-Length", cached.body.length);
      res.end(req.method === "HEAD" ? void 0 : cached.body);
      return;
    }
    if (isGetRequest) {
      const chunks = [];
      const writeHeadHeaders = {};
      const realWrite = res.write.bind(res);
      const realEnd = res.end.bind(res);
      const realWriteHead = res.writeHead.bind(res);
      res.writeHead = (statusCode, statusMessageOrHeaders, headers) => {
        let result;
        if (typeof statusMessageOrHeaders === "string") {
          result = realWriteHead(statusCode, statusMessageOrHeaders, headers);
        } else {
          result = realWriteHead(statusCode, statusMessageOrHeaders);
        }
        captureWriteHeadHeaders(
          writeHeadHeaders,
          typeof statusMessageOrHeaders === "string" ? headers : statusMessageOrHeaders
        );
        return result;
      };
      res.write = (chunk, encoding, callback) => {
        captureChunk(chunks, chunk, encoding);
        if (typeof encoding === "function") {
          return realWrite(chunk, encoding);
        }
        if (encoding === void 0) {
          return callback ? realWrite(chunk, callback) : realWrite(chunk);
        }
        return realWrite(chunk, encoding, callback);
      };
      res.end = (chunk, encoding, callback) => {
        if (typeof chunk === "function") {
          return realEnd(chunk);
        }
        captureChunk(chunks, chunk, encoding);
        if (typeof encoding === "function") {
          return realEnd(chunk, encoding);
        }
        if (encoding === void 0) {
          return callback ? realEnd(chunk, callback) : realEnd(chunk);
        }
        return realEnd(chunk, encoding, callback);
      };
      res.once("finish", () => {
        if (res.statusCode === 200) {
          void cache.set(
            reqPath,
            serializeCachedResponse(
              res.statusCode,
              getCacheableHeaders({
                ...res.getHeaders(),
                ...writeHeadHeaders
              }),
              Buffer.concat(chunks)
            )
          );
        }
      });
    }
    next();
  });
  return cacheMiddleware;
};

exports.createCacheMiddleware = createCacheMiddleware;
