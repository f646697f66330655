"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.RESERVED_DIRECTORY_SEGMENTS = exports.FilesRouter = void 0;
exports.createSizeLimitedStream = createSizeLimitedStream;
var _express = _interopRequireDefault(require("express"));
var Middlewares = _interopRequireWildcard(require("../middlewares"));
var _node = _interopRequireDefault(require("parse/node"));
var _Config = _interopRequireDefault(require("../Config"));
var _logger = _interopRequireDefault(require("../logger"));
var _stream = require("stream");
var _Error = require("../Error");
function _interopRequireWildcard(e, t) { if ("function" == typeof WeakMap) var r = new WeakMap(), n = new WeakMap(); return (_interopRequireWildcard = function (e, t) { if (!t && e && e.__esModule) return e; var o, i, f = { __proto__: null, default: e }; if (null === e || "object" != typeof e && "function" != typeof e) return f; if (o = t ? n : r) { if (o.has(e)) return o.get(e); o.set(e, f); } for (const t in e) "default" !== t && {}.hasOwnProperty.call(e, t) && ((i = (o = Object.defineProperty) && Object.getOwnPropertyDescriptor(e, t)) && (i.get || i.set) ? o(f, t, i) : f[t] = e[t]); return f; })(e, t); }
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
const triggers = require('../triggers');
const Utils = require('../Utils');
/**
 * Wraps a readable stream in a Readable that enforces a byte size limit.
 * Data flow is lazy: the source is not read until a consumer starts reading
 * from the returned stream (via pipe or 'data' listener). This ensures the
 * consumer's error listener is attached before any data (or error) is emitted.
 */
function createSizeLimitedStream(source, maxBytes) {
  let totalBytes = 0;
  let started = false;
  let sourceEnded = false;
  let onData, onEnd, onError;
  const output = new _stream.Readable({
    read() {
      if (!started) {
        started = true;
        onData = chunk => {
          totalBytes += chunk.length;
          if (totalBytes > maxBytes) {
            output.destroy(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, `File size exceeds maximum allowed: ${maxBytes} bytes.`));
            return;
          }
          if (!output.push(chunk)) {
            source.pause();
          }
        };
        onEnd = () => {
          sourceEnded = true;
          output.push(null);
        };
        onError = err => output.destroy(err);
        source.on('data', onData);
        source.on('end', onEnd);
        source.on('error', onError);
      }

      // Resume source in case it was paused due to backpressure
      if (!sourceEnded) {
        source.resume();
      }
    },
    destroy(err, callback) {
      if (onData) {
        source.removeListener('data', onData);
      }
      if (onEnd) {
        source.removeListener('end', onEnd);
      }
      if (onError) {
        source.removeListener('error', onError);
      }
      // Suppress errors emitted during drain (e.g. client disconnect)
      source.on('error', () => {});
      if (!sourceEnded) {
        source.resume();
      }
      callback(err);
    }
  });
  return output;
}

// Segments that conflict with sub-routes under GET /files/:appId/*. If a file
// directory starts with one of these, its URL would match the wrong route
// handler. Update this list when adding new sub-routes to expressRouter().
const RESERVED_DIRECTORY_SEGMENTS = exports.RESERVED_DIRECTORY_SEGMENTS = ['metadata'];
class FilesRouter {
  expressRouter({
    maxUploadSize = '20Mb'
  } = {}) {
    var router = _express.default.Router();
    // Lightweight info initializer so handleParseSession can resolve session tokens.
    // Unlike POST/DELETE routes, GET file routes skip handleParseHeaders (which
    // normally sets req.info) because those requests may not carry Parse headers.
    const initInfo = (req, res, next) => {
      if (!req.info) {
        const sessionToken = req.get('X-Parse-Session-Token');
        req.info = {
          sessionToken,
          installationId: req.get('X-Parse-Installation-Id')
        };
        // If no session token and no auth yet (public access), set a minimal
        // auth object so handleParseSession skips session resolution.
        if (!sessionToken && !req.auth) {
          req.auth = {
            isMaster: false
          };
        }
      }
      next();
    };
    // Metadata route must come before the catch-all GET route
    router.get('/files/:appId/metadata/*filepath', initInfo, Middlewares.handleParseSession, this.metadataHandler);
    router.get('/files/:appId/*filepath', initInfo, Middlewares.handleParseSession, this.getHandler);
    router.post('/files', function (req, res, next) {
      next(new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Filename not provided.'));
    });
    router.post('/files/:filename', this._earlyHeadersMiddleware(), this._bodyParsingMiddleware(maxUploadSize), Middlewares.handleParseHeaders, Middlewares.handleParseSession, this.createHandler.bind(this));
    router.delete('/files/*filepath', Middlewares.handleParseHeaders, Middlewares.handleParseSession, Middlewares.enforceMasterKeyAccess, this.deleteHandler);
    return router;
  }
  static _getFilenameFromParams(req) {
    const parts = req.params.filepath;
    return Array.isArray(parts) ? parts.join('/') : parts;
  }
  static validateDirectory(directory) {
    if (typeof directory !== 'string') {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory must be a string.');
    }
    if (directory.length === 0) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory must not be empty.');
    }
    if (directory.length > 256) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory path is too long.');
    }
    if (directory.includes('..')) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory must not contain "..".');
    }
    if (directory.startsWith('/') || directory.endsWith('/')) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory must not start or end with "/".');
    }
    if (directory.includes('//')) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory must not contain consecutive slashes.');
    }
    const firstSegment = directory.split('/')[0];
    if (RESERVED_DIRECTORY_SEGMENTS.includes(firstSegment)) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, `Directory must not start with reserved segment "${firstSegment}".`);
    }
    const dirRegex = /^[a-zA-Z0-9][a-zA-Z0-9_\-/]*$/;
    if (!dirRegex.test(directory)) {
      return new _node.default.Error(_node.default.Error.INVALID_FILE_NAME, 'Directory contains invalid characters.');
    }
    return null;
  }
  static _validateFileDownload(req, config) {
    const isMaster = req.auth?.isMaster;
    const isMaintenance = req.auth?.isMaintenance;
    if (isMaster || isMaintenance) {
      return;
    }
    const user = req.auth?.user;
    const isLinked = user && _node.default.AnonymousUtils.isLinked(user);
    if (!config.fileDownload.enableForAnonymousUser && isLinked) {
      throw new _node.default.Error(_node.default.Error.OPERATION_FORBIDDEN, 'File download by anonymous user is disabled.');
    }
    if (!config.fileDownload.enableForAuthenticatedUser && !isLinked && user) {
      throw new _node.default.Error(_node.default.Error.OPERATION_FORBIDDEN, 'File download by authenticated user is disabled.');
    }
    if (!config.fileDownload.enableForPublic && !user) {
      throw new _node.default.Error(_node.default.Error.OPERATION_FORBIDDEN, 'File download by public is disabled.');
    }
  }
  async getHandler(req, res) {
    const config = _Config.default.get(req.params.appId);
    if (!config) {
      const error = (0, _Error.createSanitizedHttpError)(403, 'Invalid application ID.', config);
      res.status(error.status);
      res.json({
        error: error.message
      });
      return;
    }
    FilesRouter._validateFileDownload(req, config);
    let filename = FilesRouter._getFilenameFromParams(req);
    try {
      const filesController = config.filesController;
      const mime = (await import('mime')).default;
      let contentType = mime.getType(filename);
      let file = new _node.default.File(filename, {
        base64: ''
      }, contentType);
      const fileAuth = req.auth;
      const triggerResult = await triggers.maybeRunFileTrigger(triggers.Types.beforeFind, {
        file
      }, config, fileAuth);
      if (triggerResult?.file?._name) {
        filename = triggerResult?.file?._name;
        contentType = mime.getType(filename);
      }
      const defaultResponseHeaders = {
        'X-Content-Type-Options': 'nosniff'
      };
      if (isFileStreamable(req, filesController)) {
        const afterFind = await triggers.maybeRunFileTrigger(triggers.Types.afterFind, {
          file,
          forceDownload: false,
          responseHeaders: {
            ...defaultResponseHeaders
          }
        }, config, fileAuth);
        if (afterFind?.forceDownload) {
          res.set('Content-Disposition', `attachment;filename=${afterFind.file?._name || filename}`);
        }
        for (const [key, value] of Object.entries(afterFind?.responseHeaders ?? defaultResponseHeaders)) {
          res.set(key, value);
        }
        filesController.handleFileStream(config, filename, req, res, contentType).catch(() => {
          res.status(404);
          res.set('Content-Type', 'text/plain');
          res.end('File not found.');
        });
        return;
      }
      let data = await filesController.getFileData(config, filename).catch(() => {
        res.status(404);
        res.set('Content-Type', 'text/plain');
        res.end('File not found.');
      });
      if (!data) {
        return;
      }
      file = new _node.default.File(filename, {
        base64: data.toString('base64')
      }, contentType);
      const afterFind = await triggers.maybeRunFileTrigger(triggers.Types.afterFind, {
        file,
        forceDownload: false,
        responseHeaders: {
          ...defaultResponseHeaders
        }
      }, config, fileAuth);
      if (afterFind?.file) {
        contentType = mime.getType(afterFind.file._name);
        data = Buffer.from(afterFind.file._data, 'base64');
      }
      res.status(200);
      res.set('Content-Type', contentType);
      res.set('Content-Length', data.length);
      if (afterFind.forceDownload) {
        res.set('Content-Disposition', `attachment;filename=${afterFind.file._name}`);
      }
      if (afterFind.responseHeaders) {
        for (const [key, value] of Object.entries(afterFind.responseHeaders)) {
          res.set(key, value);
        }
      }
      res.end(data);
    } catch (e) {
      const err = triggers.resolveError(e, {
        code: _node.default.Error.SCRIPT_FAILED,
        message: `Could not find file: ${filename}.`
      });
      res.status(403);
      res.json({
        code: err.code,
        error: err.message
      });
    }
  }

  /**
   * Middleware that runs before body parsing to handle headers that must be
   * resolved before the request body is consumed. Currently supports:
   *
   * - `X-Parse-File-Max-Upload-Size`: Overrides the server-wide `maxUploadSize`
   *   for this request. Requires the master key. The value uses the same format
   *   as the server option (e.g. `'50mb'`, `'1gb'`). Sets `req._maxUploadSizeOverride`
   *   (in bytes) for `_bodyParsingMiddleware` to use.
   */
  _earlyHeadersMiddleware() {
    return async (req, res, next) => {
      const maxUploadSizeOverride = req.get('X-Parse-File-Max-Upload-Size');
      if (!maxUploadSizeOverride) {
        return next();
      }
      const appId = req.get('X-Parse-Application-Id');
      const config = _Config.default.get(appId);
      if (!config) {
        const error = (0, _Error.createSanitizedHttpError)(403, 'Invalid application ID.', undefined);
        res.status(error.status);
        res.json({
          error: error.message
        });
        return;
      }
      const masterKey = await config.loadMasterKey();
      if (req.get('X-Parse-Master-Key') !== masterKey) {
        const error = (0, _Error.createSanitizedHttpError)(403, 'unauthorized: master key is required', config);
        res.status(error.status);
        res.json({
          error: error.message
        });
        return;
      }
      if (config.masterKeyIps?.length && !Middlewares.checkIp(req.ip, config.masterKeyIps, config.masterKeyIpsStore)) {
        const error = (0, _Error.createSanitizedHttpError)(403, 'unauthorized: master key is required', config);
        res.status(error.status);
        res.json({
          error: error.message
        });
        return;
      }
      let parsedBytes;
      try {
        parsedBytes = Utils.parseSizeToBytes(maxUploadSizeOverride);
      } catch {
        return next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, `Invalid maxUploadSize override value: ${maxUploadSizeOverride}`));
      }
      req._maxUploadSizeOverride = parsedBytes;
      next();
    };
  }
  _bodyParsingMiddleware(maxUploadSize) {
    const defaultMaxBytes = Utils.parseSizeToBytes(maxUploadSize);
    return (req, res, next) => {
      if (req.get('X-Parse-Upload-Mode') === 'stream') {
        req._maxUploadSizeBytes = req._maxUploadSizeOverride ?? defaultMaxBytes;
        return next();
      }
      const limit = req._maxUploadSizeOverride ?? maxUploadSize;
      return _express.default.raw({
        type: () => true,
        limit
      })(req, res, next);
    };
  }
  async createHandler(req, res, next) {
    if (req.auth.isReadOnly) {
      const error = (0, _Error.createSanitizedHttpError)(403, "read-only masterKey isn't allowed to create a file.", req.config);
      res.status(error.status);
      res.end(`{"error":"${error.message}"}`);
      return;
    }
    const config = req.config;
    const isMaster = req.auth.isMaster;
    const isMaintenance = req.auth.isMaintenance;
    if (!isMaster && !isMaintenance) {
      const user = req.auth.user;
      const isLinked = user && _node.default.AnonymousUtils.isLinked(user);
      if (!config.fileUpload.enableForAnonymousUser && isLinked) {
        next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, 'File upload by anonymous user is disabled.'));
        return;
      }
      if (!config.fileUpload.enableForAuthenticatedUser && !isLinked && user) {
        next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, 'File upload by authenticated user is disabled.'));
        return;
      }
      if (!config.fileUpload.enableForPublic && !user) {
        next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, 'File upload by public is disabled.'));
        return;
      }
    }
    const filesController = config.filesController;
    const {
      filename
    } = req.params;
    const contentType = req.get('Content-type');
    const error = filesController.validateFilename(filename);
    if (error) {
      next(error);
      return;
    }
    const fileExtensions = config.fileUpload?.fileExtensions;
    if (!isMaster && fileExtensions) {
      const mime = (await import('mime')).default;
      const isValidExtension = extension => {
        return fileExtensions.some(ext => {
          if (ext === '*') {
            return true;
          }
          const regex = new RegExp(ext);
          if (regex.test(extension)) {
            return true;
          }
        });
      };
      const rejectExtension = ext => {
        next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, `File upload of extension ${ext} is disabled.`));
      };

      // Parse the filename extension token, stripping MIME parameters and whitespace.
      let extension = Utils.getFileExtension(filename);
      extension = extension?.split(';')[0]?.replace(/\s+/g, '');
      const isExtensionRecognized = extension && mime.getType(filename);
      if (extension && !isValidExtension(extension)) {
        rejectExtension(extension);
        return;
      }

      // When the filename extension is not recognized by `mime`,
      // `FilesController.createFile` cannot derive a Content-Type from the
      // filename and preserves the client-supplied Content-Type verbatim, so the
      // type the file is actually served as must be validated. Skip this when
      // extension filtering is disabled (`*`).
      const allowsAllExtensions = fileExtensions.includes('*');
      if (!isExtensionRecognized && contentType && !allowsAllExtensions) {
        const slashIndex = contentType.indexOf('/');
        const type = slashIndex > 0 ? contentType.slice(0, slashIndex).trim() : '';
        const subtype = slashIndex > 0 ? contentType.slice(slashIndex + 1).split(';')[0].trim() : '';
        // A valid media type is `type/subtype` where both are non-empty `token`s
        // (RFC 9110 §5.6.2). Reject anything else.
        const token = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
        if (!token.test(type) || !token.test(subtype)) {
          // A Content-Type that does not parse as `type/subtype` with valid,
          // non-empty type AND subtype tokens is malformed: there is no valid MIME
          // type without a subtype (RFC 9110 §8.3.1), and malformed tokens such as
          // `image//svg+xml` or `text/plain,text/html` are equally unparseable.
          // Browsers cannot parse such values and fall back to MIME-sniffing the
          // file body, which can render HTML/script markers as active content on
          // storage adapters that serve the stored Content-Type (e.g. `image`,
          // `image/`). Surface the precise blocklist message when the bare token
          // names a blocked extension (e.g. a no-slash `svg`), otherwise reject the
          // unparseable Content-Type.
          const bareToken = (slashIndex < 0 ? contentType.split(';')[0] : type).replace(/\s+/g, '');
          if (bareToken && !isValidExtension(bareToken)) {
            rejectExtension(bareToken);
            return;
          }
          next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, 'Invalid Content-Type.'));
          return;
        }
        // Validate the well-formed Content-Type subtype against the blocklist, e.g.
        // "image/svg+xml" -> "svg+xml", "image/svg+xml;charset=utf-8" -> "svg+xml".
        // Valid custom/vendor types (e.g. "application/vnd.api+json") parse and are
        // allowed; only blocked subtypes are rejected.
        const contentTypeExtension = subtype.replace(/\s+/g, '');
        if (!isValidExtension(contentTypeExtension)) {
          rejectExtension(contentTypeExtension);
          return;
        }
      }
    }

    // For streaming uploads, read file data from headers since the body is the raw stream
    if (req.get('X-Parse-Upload-Mode') === 'stream') {
      req.fileData = {};
      if (req.get('X-Parse-File-Directory')) {
        req.fileData.directory = req.get('X-Parse-File-Directory');
      }
      if (req.get('X-Parse-File-Metadata')) {
        try {
          const parsed = JSON.parse(req.get('X-Parse-File-Metadata'));
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new Error();
          }
          req.fileData.metadata = parsed;
        } catch {
          next(new _node.default.Error(_node.default.Error.INVALID_JSON, 'Invalid JSON in X-Parse-File-Metadata header.'));
          return;
        }
      }
      if (req.get('X-Parse-File-Tags')) {
        try {
          const parsed = JSON.parse(req.get('X-Parse-File-Tags'));
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new Error();
          }
          req.fileData.tags = parsed;
        } catch {
          next(new _node.default.Error(_node.default.Error.INVALID_JSON, 'Invalid JSON in X-Parse-File-Tags header.'));
          return;
        }
      }
    }

    // Validate directory option (requires master key)
    const directory = req.fileData?.directory;
    if (directory !== undefined) {
      if (!isMaster) {
        next(new _node.default.Error(_node.default.Error.OPERATION_FORBIDDEN, 'Directory can only be set using the Master Key.'));
        return;
      }
      const directoryError = FilesRouter.validateDirectory(directory);
      if (directoryError) {
        next(directoryError);
        return;
      }
    }

    // Dispatch to the appropriate handler based on whether the body was buffered
    if (Buffer.isBuffer(req.body)) {
      return this._handleBufferedUpload(req, res, next);
    }
    return this._handleStreamUpload(req, res, next);
  }
  async _handleBufferedUpload(req, res, next) {
    const config = req.config;
    const filesController = config.filesController;
    const {
      filename
    } = req.params;
    const contentType = req.get('Content-type');
    if (!req.body || !req.body.length) {
      next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, 'Invalid file upload.'));
      return;
    }
    const base64 = req.body.toString('base64');
    const file = new _node.default.File(filename, {
      base64
    }, contentType);
    const {
      metadata = {},
      tags = {},
      directory
    } = req.fileData || {};
    try {
      // Scan request data for denied keywords
      Utils.checkProhibitedKeywords(config, metadata);
      Utils.checkProhibitedKeywords(config, tags);
    } catch (error) {
      next(new _node.default.Error(_node.default.Error.INVALID_KEY_NAME, error));
      return;
    }
    file.setTags(tags);
    file.setMetadata(metadata);
    if (directory) {
      file.setDirectory(directory);
    }
    const fileSize = Buffer.byteLength(req.body);
    const fileObject = {
      file,
      fileSize
    };
    try {
      // run beforeSaveFile trigger
      const triggerResult = await triggers.maybeRunFileTrigger(triggers.Types.beforeSave, fileObject, config, req.auth);
      let saveResult;
      // if a new ParseFile is returned check if it's an already saved file
      if (triggerResult instanceof _node.default.File) {
        fileObject.file = triggerResult;
        if (triggerResult.url()) {
          // set fileSize to null because we wont know how big it is here
          fileObject.fileSize = null;
          saveResult = {
            url: triggerResult.url(),
            name: triggerResult._name
          };
        }
      }
      // if the file returned by the trigger has already been saved skip saving anything
      if (!saveResult) {
        // update fileSize
        let bufferData;
        if (fileObject.file._source?.format === 'buffer') {
          bufferData = fileObject.file._source.buffer;
        } else {
          bufferData = Buffer.from(fileObject.file._data, 'base64');
        }
        fileObject.fileSize = Buffer.byteLength(bufferData);
        // prepare file options
        const fileOptions = {
          metadata: fileObject.file._metadata
        };
        // some s3-compatible providers (DigitalOcean, Linode) do not accept tags
        // so we do not include the tags option if it is empty.
        const fileTags = Object.keys(fileObject.file._tags).length > 0 ? {
          tags: fileObject.file._tags
        } : {};
        Object.assign(fileOptions, fileTags);
        // include directory if set (from client request or beforeSaveFile trigger)
        if (fileObject.file._directory) {
          fileOptions.directory = fileObject.file._directory;
        }
        // save file
        const createFileResult = await filesController.createFile(config, fileObject.file._name, bufferData, fileObject.file._source.type, fileOptions);
        // update file with new data
        fileObject.file._name = createFileResult.name;
        fileObject.file._url = createFileResult.url;
        fileObject.file._requestTask = null;
        fileObject.file._previousSave = Promise.resolve(fileObject.file);
        saveResult = {
          url: createFileResult.url,
          name: createFileResult.name
        };
      }
      // run afterSaveFile trigger
      await triggers.maybeRunFileTrigger(triggers.Types.afterSave, fileObject, config, req.auth);
      res.status(201);
      res.set('Location', saveResult.url);
      res.json(saveResult);
    } catch (e) {
      _logger.default.error('Error creating a file: ', e);
      const error = triggers.resolveError(e, {
        code: _node.default.Error.FILE_SAVE_ERROR,
        message: `Could not store file: ${fileObject.file._name}.`
      });
      next(error);
    }
  }
  async _handleStreamUpload(req, res, next) {
    const config = req.config;
    const filesController = config.filesController;
    const {
      filename
    } = req.params;
    let contentType = req.get('Content-Type');
    const maxBytes = req._maxUploadSizeBytes;
    let stream;
    try {
      // Early rejection via Content-Length header
      const contentLength = req.get('Content-Length');
      if (contentLength && parseInt(contentLength, 10) > maxBytes) {
        req.resume();
        next(new _node.default.Error(_node.default.Error.FILE_SAVE_ERROR, `File size exceeds maximum allowed: ${maxBytes} bytes.`));
        return;
      }
      const mime = (await import('mime')).default;

      // Infer content type from extension or add extension from content type
      const hasExtension = filename && filename.includes('.');
      if (hasExtension && !contentType) {
        contentType = mime.getType(filename);
      } else if (!hasExtension && contentType) {
        // extension will be added by filesController.createFile
      }

      // Create size-limited stream wrapping the request
      stream = createSizeLimitedStream(req, maxBytes);

      // Build a Parse.File with no _data (streaming mode)
      const file = new _node.default.File(filename, {
        base64: ''
      }, contentType);
      const {
        metadata = {},
        tags = {},
        directory
      } = req.fileData || {};

      // Validate metadata and tags for prohibited keywords
      try {
        Utils.checkProhibitedKeywords(config, metadata);
        Utils.checkProhibitedKeywords(config, tags);
      } catch (error) {
        stream.destroy();
        next(new _node.default.Error(_node.default.Error.INVALID_KEY_NAME, error));
        return;
      }
      file.setTags(tags);
      file.setMetadata(metadata);
      if (directory) {
        file.setDirectory(directory);
      }
      const fileSize = req.get('Content-Length') ? parseInt(req.get('Content-Length'), 10) : null;
      const fileObject = {
        file,
        fileSize,
        stream: true
      };

      // Run beforeSaveFile trigger
      const triggerResult = await triggers.maybeRunFileTrigger(triggers.Types.beforeSave, fileObject, config, req.auth);
      let saveResult;
      // If a new ParseFile is returned, check if it's an already saved file
      if (triggerResult instanceof _node.default.File) {
        fileObject.file = triggerResult;
        if (triggerResult.url()) {
          fileObject.fileSize = null;
          saveResult = {
            url: triggerResult.url(),
            name: triggerResult._name
          };
          // Destroy stream to remove listeners and drain request
          stream.destroy();
        }
      }

      // If the file returned by the trigger has already been saved, skip saving
      if (!saveResult) {
        // Prepare file options
        const fileOptions = {
          metadata: fileObject.file._metadata
        };
        const fileTags = Object.keys(fileObject.file._tags).length > 0 ? {
          tags: fileObject.file._tags
        } : {};
        Object.assign(fileOptions, fileTags);
        // include directory if set (from client request or beforeSaveFile trigger)
        if (fileObject.file._directory) {
          fileOptions.directory = fileObject.file._directory;
        }

        // Pass stream directly to filesController — it will buffer if adapter doesn't support streaming
        const sourceType = fileObject.file._source?.type || contentType;
        const createFileResult = await filesController.createFile(config, fileObject.file._name, stream, sourceType, fileOptions);

        // Update file with new data
        fileObject.file._name = createFileResult.name;
        fileObject.file._url = createFileResult.url;
        fileObject.file._requestTask = null;
        fileObject.file._previousSave = Promise.resolve(fileObject.file);
        saveResult = {
          url: createFileResult.url,
          name: createFileResult.name
        };
      }

      // Run afterSaveFile trigger
      await triggers.maybeRunFileTrigger(triggers.Types.afterSave, fileObject, config, req.auth);
      res.status(201);
      res.set('Location', saveResult.url);
      res.json(saveResult);
    } catch (e) {
      // Destroy stream to remove listeners and drain request, or resume directly
      if (stream) {
        stream.destroy();
      } else {
        req.resume();
      }
      _logger.default.error('Error creating a file: ', e);
      const error = triggers.resolveError(e, {
        code: _node.default.Error.FILE_SAVE_ERROR,
        message: `Could not store file: ${filename}.`
      });
      next(error);
    }
  }
  async deleteHandler(req, res, next) {
    if (req.auth.isReadOnly) {
      const error = (0, _Error.createSanitizedHttpError)(403, "read-only masterKey isn't allowed to delete a file.", req.config);
      res.status(error.status);
      res.end(`{"error":"${error.message}"}`);
      return;
    }
    try {
      const {
        filesController
      } = req.config;
      const filename = FilesRouter._getFilenameFromParams(req);
      // run beforeDeleteFile trigger
      const file = new _node.default.File(filename);
      file._url = await filesController.adapter.getFileLocation(req.config, filename);
      const fileObject = {
        file,
        fileSize: null
      };
      await triggers.maybeRunFileTrigger(triggers.Types.beforeDelete, fileObject, req.config, req.auth);
      // delete file
      await filesController.deleteFile(req.config, filename);
      // run afterDeleteFile trigger
      await triggers.maybeRunFileTrigger(triggers.Types.afterDelete, fileObject, req.config, req.auth);
      res.status(200);
      // TODO: return useful JSON here?
      res.end();
    } catch (e) {
      _logger.default.error('Error deleting a file: ', e);
      const error = triggers.resolveError(e, {
        code: _node.default.Error.FILE_DELETE_ERROR,
        message: 'Could not delete file.'
      });
      next(error);
    }
  }
  async metadataHandler(req, res) {
    try {
      const config = _Config.default.get(req.params.appId);
      if (!config) {
        res.status(200);
        res.json({});
        return;
      }
      FilesRouter._validateFileDownload(req, config);
      const {
        filesController
      } = config;
      let filename = FilesRouter._getFilenameFromParams(req);
      const file = new _node.default.File(filename, {
        base64: ''
      });
      const fileAuth = req.auth;
      const triggerResult = await triggers.maybeRunFileTrigger(triggers.Types.beforeFind, {
        file
      }, config, fileAuth);
      if (triggerResult?.file?._name) {
        filename = triggerResult.file._name;
      }
      const data = await filesController.getMetadata(filename).catch(() => {
        res.status(200);
        res.json({});
      });
      if (!data) {
        return;
      }
      await triggers.maybeRunFileTrigger(triggers.Types.afterFind, {
        file
      }, config, fileAuth);
      res.status(200);
      res.json(data);
    } catch (e) {
      const err = triggers.resolveError(e, {
        code: _node.default.Error.SCRIPT_FAILED,
        message: 'Could not get file metadata.'
      });
      res.status(403);
      res.json({
        code: err.code,
        error: err.message
      });
    }
  }
}
exports.FilesRouter = FilesRouter;
function isFileStreamable(req, filesController) {
  const range = (req.get('Range') || '/-/').split('-');
  const start = Number(range[0]);
  const end = Number(range[1]);
  return (!isNaN(start) || !isNaN(end)) && typeof filesController.adapter.handleFileStream === 'function';
}
