"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.default = void 0;
var _assert = _interopRequireDefault(require("assert"));
var _async = _interopRequireDefault(require("async"));
var _debug = _interopRequireDefault(require("debug"));
var _lodash = _interopRequireDefault(require("lodash"));
var _stream = _interopRequireDefault(require("stream"));
var _config = require("@verdaccio/config");
var _core = require("@verdaccio/core");
var _loaders = require("@verdaccio/loaders");
var _localStorageLegacy = _interopRequireDefault(require("@verdaccio/local-storage-legacy"));
var _searchIndexer = require("@verdaccio/search-indexer");
var _streams = require("@verdaccio/streams");
var _logger = require("../lib/logger");
var _constants = require("./constants");
var _localStorage = _interopRequireDefault(require("./local-storage"));
var _metadataUtils = require("./metadata-utils");
var _storageUtils = require("./storage-utils");
var _upStorage = _interopRequireDefault(require("./up-storage"));
var _uplinkUtil = require("./uplink-util");
var _utils = require("./utils");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
const debug = (0, _debug.default)('verdaccio:storage');
class Storage {
  constructor(config) {
    this.config = config;
    this.uplinks = (0, _uplinkUtil.setupUpLinks)(config);
    this.logger = _logger.logger;
    // @ts-ignore
    this.localStorage = null;
  }

  /**
   * Initialize the storage: load the storage plugin (or the default
   * local storage) and the filter plugins. Safe to call once; subsequent
   * calls only reload missing filters.
   * @param {Config} config verdaccio configuration
   * @param {IPluginFilters} filters preloaded filter plugins; when omitted they are loaded from the configuration
   */
  async init(config, filters) {
    if (this.localStorage === null) {
      this.filters = filters;
      const storageInstance = await this.loadStorage(config, this.logger);
      this.localStorage = new _localStorage.default(this.config, _logger.logger, storageInstance);
      await this.localStorage.getSecret(config);
      debug('initialization completed');
    } else {
      debug('storage has been already initialized');
    }
    if (!this.filters) {
      this.filters = await (0, _loaders.asyncLoadPlugin)(this.config.filters, {
        config: this.config,
        logger: this.logger
      }, plugin => {
        return typeof plugin.filter_metadata !== 'undefined';
      }, true, this.config?.serverSettings?.pluginPrefix, _core.PLUGIN_CATEGORY.FILTER);
      debug('filters available %o', this.filters.length);
    }
  }

  /**
   * Resolve the storage backend: a configured storage plugin when available,
   * otherwise the default `@verdaccio/local-storage` on the configured path.
   * @return {Promise<StoragePlugin>} the storage plugin instance
   */
  async loadStorage(config, logger) {
    const Storage = await this.loadStorePlugin();
    if (_lodash.default.isNil(Storage)) {
      (0, _assert.default)(this.config.storage, 'CONFIG: storage path not defined');
      debug('no custom storage found, loading default storage @verdaccio/local-storage');
      const localStorage = new _localStorageLegacy.default(config, logger);
      logger.info({
        name: '@verdaccio/local-storage',
        pluginCategory: _core.PLUGIN_CATEGORY.STORAGE
      }, 'plugin @{name} successfully loaded (@{pluginCategory})');
      return localStorage;
    }
    return Storage;
  }

  /**
   * Load the storage plugins declared under `store` in the configuration.
   * Only one storage is supported: with several plugins configured the
   * first loaded one wins and a warning is logged.
   * @return {Promise<StoragePluginLegacy<Config> | undefined>} the selected plugin, or undefined when none is configured
   */
  async loadStorePlugin() {
    const plugins = await (0, _loaders.asyncLoadPlugin)(this.config.store, {
      config: this.config,
      logger: this.logger
    }, plugin => {
      return typeof plugin.getPackageStorage !== 'undefined';
    }, true, this.config?.serverSettings?.pluginPrefix, _core.PLUGIN_CATEGORY.STORAGE);
    if (plugins.length > 1) {
      this.logger.warn('more than one storage plugins has been detected, multiple storage are not supported, one will be selected automatically');
    }
    return _lodash.default.head(plugins);
  }

  /**
   * Add a package to the system (publish flow).
   * Verifies the package does not exist locally nor on any uplink before
   * creating it locally; uplinks being offline rejects the publish unless
   * `publish.allow_offline` is enabled.
   * Used storages: local (write) && uplinks
   * @param {String} name package name
   * @param {Object} metadata package manifest to publish
   * @param {Function} callback invoked with an error when the publish is rejected
   */
  async addPackage(name, metadata, callback) {
    debug('add package %o', name);
    try {
      await (0, _storageUtils.checkPackageLocal)(name, this.localStorage);
      await (0, _storageUtils.checkPackageRemote)(name, this._isAllowPublishOffline(), this._syncUplinksMetadata.bind(this));
      await (0, _storageUtils.publishPackage)(name, metadata, this.localStorage);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Whether `publish.allow_offline` is enabled in the configuration.
   * @return {Boolean} true when publishing with unreachable uplinks is allowed
   */
  _isAllowPublishOffline() {
    return typeof this.config.publish !== 'undefined' && _lodash.default.isBoolean(this.config.publish.allow_offline) && this.config.publish.allow_offline;
  }

  /**
   * Read the npm tokens matching the filter from the token storage.
   * Used storages: local (read)
   */
  readTokens(filter) {
    return this.localStorage.readTokens(filter);
  }

  /**
   * Save an npm token to the token storage.
   * Used storages: local (write)
   */
  saveToken(token) {
    return this.localStorage.saveToken(token);
  }

  /**
   * Delete an npm token from the token storage.
   * Used storages: local (write)
   */
  deleteToken(user, tokenKey) {
    return this.localStorage.deleteToken(user, tokenKey);
  }

  /**
   * Add a new version of a package to the system.
   * Used storages: local (write)
   * @param {String} name package name
   * @param {String} version version id, eg. 1.0.0
   * @param {Version} metadata version metadata
   * @param {String} tag dist-tag pointing to the version
   * @param {Function} callback
   */
  addVersion(name, version, metadata, tag, callback) {
    debug('add version %s package for %s', version, name);
    this.localStorage.addVersion(name, version, metadata, tag, callback);
  }

  /**
   * Tag package versions with the provided dist-tags.
   * Used storages: local (write)
   * @param {String} name package name
   * @param {MergeTags} tagHash dist-tag to version mapping to merge
   * @param {Function} callback
   */
  mergeTags(name, tagHash, callback) {
    debug('merge tags for %o', name);
    this.localStorage.mergeTags(name, tagHash, callback);
  }

  /**
   * Change an existing package (eg. unpublish one version).
   * Used storages: local (write)
   * @param {String} name package name
   * @param {Manifest} metadata updated package manifest
   * @param {String} revision expected revision of the stored manifest
   * @param {Function} callback
   */
  changePackage(name, metadata, revision, callback) {
    debug('change existing package for package %o revision %o', name, revision);
    this.localStorage.changePackage(name, metadata, revision, callback);
  }

  /**
   * Remove a package from the local storage and the search indexer.
   * Used storages: local (write)
   * @param {String} name package name
   * @param {Function} callback
   */
  removePackage(name, callback) {
    debug('remove package %o', name);
    this.localStorage.removePackage(name, callback);
    // update the indexer
    _searchIndexer.SearchMemoryIndexer.remove(name).catch(reason => {
      debug('indexer has failed on remove item %o', reason);
      _logger.logger.error('indexer has failed on remove item');
    });
  }

  /**
   * Remove a tarball from the local storage. The tarball must not be
   * linked by any existing version, ie. the version should be
   * unpublished first.
   * Used storages: local (write)
   * @param {String} name package name
   * @param {String} filename tarball file name
   * @param {String} revision expected revision of the stored manifest
   * @param {Function} callback
   */
  removeTarball(name, filename, revision, callback) {
    debug('remove tarball %s for %s', filename, name);
    this.localStorage.removeTarball(name, filename, revision, callback);
  }

  /**
   * Upload a tarball (publish flow). Synchronous, returns a writable
   * stream the tarball body is piped into.
   * Used storages: local (write)
   * @param {String} name package name
   * @param {String} filename tarball file name
   * @return {Stream} writable upload stream
   */
  addTarball(name, filename) {
    debug('add a tarball for %o', name);
    return this.localStorage.addTarball(name, filename);
  }

  /**
   * Whether a tarball exists in the local storage, without reading it
   * (the stream is aborted as soon as it opens).
   * Used storages: local (read)
   * @param {String} name package name
   * @param {String} filename tarball file name
   * @return {Promise<Boolean>} true when the tarball is stored locally
   */
  hasLocalTarball(name, filename) {
    const self = this;
    return new Promise((resolve, reject) => {
      let localStream = self.localStorage.getTarball(name, filename);
      let isOpen = false;
      localStream.on('error', err => {
        if (isOpen || err.status !== _constants.HTTP_STATUS.NOT_FOUND) {
          reject(err);
        }
        // local reported 404 or request was aborted already
        if (localStream) {
          localStream.abort();
          localStream = null;
        }
        resolve(false);
      });
      localStream.on('open', function () {
        isOpen = true;
        localStream.abort();
        localStream = null;
        resolve(true);
      });
    });
  }

  /**
   * Get a tarball. Synchronous, returns a readable stream.
   * The tarball is read locally first; on a local miss the distfile record
   * is resolved from the package metadata (see lookupDistFile), syncing the
   * uplinks when the local metadata does not know the file, and the tarball
   * is then fetched from the uplink that serves the distfile url.
   * Used storages: local || uplink (just one)
   * @param {String} name package name
   * @param {String} filename tarball file name
   * @return {Stream} readable tarball stream
   */
  getTarball(name, filename) {
    debug('get tarball for package %o filename %o', name, filename);
    const readStream = new _streams.ReadTarball({});
    readStream.abort = function () {};
    const self = this;

    // Check if the tarball is allowed by filter plugins before serving.
    // Filters may block specific versions, so we verify the tarball's version
    // still exists in the filtered metadata.
    this._isTarballAllowedByFilters(name, filename).then(async allowed => {
      if (!allowed) {
        readStream.emit('error', _utils.ErrorCode.getNotFound(_constants.API_ERROR.NO_PACKAGE));
        return;
      }

      // trying local first
      let localStream = self.localStorage.getTarball(name, filename);
      let isOpen = false;
      localStream.on('error', err => {
        if (isOpen || err.status !== _constants.HTTP_STATUS.NOT_FOUND) {
          return readStream.emit('error', err);
        }

        // local reported 404
        const err404 = err;
        localStream.abort();
        localStream = null; // we force for garbage collector

        const lookupFromUplinks = info => {
          self._syncUplinksMetadata(name, info, {}, (syncErr, syncInfo) => {
            if (_lodash.default.isNil(syncErr) === false) {
              return readStream.emit('error', syncErr);
            }
            // _syncUplinksMetadata returns filter-applied metadata; if the
            // version was removed by a filter, surface a 404 like a missing tarball.
            if (self.filters?.length && !(0, _utils.hasTarball)(syncInfo, filename)) {
              return readStream.emit('error', err404);
            }
            const distFile = (0, _storageUtils.lookupDistFile)(syncInfo, filename);
            if (_lodash.default.isNil(distFile)) {
              debug('remote tarball not found');
              return readStream.emit('error', err404);
            }
            debug('dist file found, using it %o', distFile.url);
            serveFile(distFile);
          });
        };
        self.localStorage.getPackageMetadataAsync(name).then(info => {
          const distFile = (0, _storageUtils.lookupDistFile)(info, filename);
          if (_lodash.default.isNil(distFile) === false) {
            // information about this file exists locally
            debug('dist file found, using it %o', distFile.url);
            serveFile(distFile);
          } else {
            // we know nothing about this file, trying to get information elsewhere
            debug('dist file not found, proceed update upstream');
            lookupFromUplinks(info);
          }
        }, () => {
          // we know nothing about this file, trying to get information elsewhere
          lookupFromUplinks(null);
        });
      });
      localStream.on('content-length', function (v) {
        readStream.emit('content-length', v);
      });
      localStream.on('open', function () {
        isOpen = true;
        localStream.pipe(readStream);
      });
    });
    return readStream;

    /**
     * Stream the tarball from the uplink serving the distfile, caching it
     * locally (and restoring the distfile record) when the uplink has the
     * cache enabled.
     * @param {DistFile} file distfile record resolved for the tarball
     */
    function serveFile(file) {
      let uplink = null;
      if (file.registry && self.uplinks[file.registry]) {
        // the distfile records which uplink it was merged from
        // (see LocalStorage._updateUplinkToRemoteProtocol)
        uplink = self.uplinks[file.registry];
        debug('tarball %o is served by the recorded uplink %o', filename, file.registry);
      } else {
        const candidates = [];
        for (const uplinkId in self.uplinks) {
          if ((0, _config.hasProxyTo)(name, uplinkId, self.config.packages)) {
            candidates.push(self.uplinks[uplinkId]);
          }
        }
        debug('tarball %o has %o candidate uplinks', filename, candidates.length);

        // pick the uplink that actually serves the distfile url, so the
        // request carries the settings of the registry hosting it; with
        // several matching uplinks (duplicated urls) the last configured
        // one keeps winning, exactly like the previous selection did
        for (const candidate of candidates) {
          if (candidate.isUplinkValid(file.url)) {
            uplink = candidate;
          }
        }
        if (uplink !== null) {
          debug('uplink %o url matches tarball %o', uplink.upname, file.url);
        } else if (candidates.length === 1) {
          // a single configured uplink keeps the legacy behavior: tarballs
          // hosted elsewhere (a CDN) may still need its agent/proxy settings
          uplink = candidates[0];
          debug('using the single configured uplink %o for tarball %o hosted elsewhere', uplink.upname, file.url);
        }
      }
      if (uplink == null) {
        debug('upstream not found, creating one for %o', name);
        uplink = new _upStorage.default({
          url: file.url,
          cache: true,
          _autogenerated: true
        }, self.config);
      }
      let savestream = null;
      if (uplink.config.cache) {
        // persist which configured uplink served the tarball, so future
        // fetches can pick it directly (autogenerated proxies have no name)
        debug('cache remote tarball enabled');
        let distFile = file;
        if (!file.registry && uplink.upname) {
          debug('recording uplink %o on the persisted distfile for %o', uplink.upname, filename);
          distFile = {
            ...file,
            registry: uplink.upname
          };
        }
        savestream = self.localStorage.addTarball(name, filename, distFile);
      } else {
        debug('cache remote tarball disabled');
      }
      let on_open = function () {
        // prevent it from being called twice
        on_open = function () {};
        const rstream2 = uplink.fetchTarball(file.url);
        rstream2.on('error', function (err) {
          if (savestream) {
            savestream.abort();
          }
          savestream = null;
          readStream.emit('error', err);
        });
        rstream2.on('end', function () {
          if (savestream) {
            savestream.done();
          }
        });
        rstream2.on('content-length', function (v) {
          readStream.emit('content-length', v);
          if (savestream) {
            savestream.emit('content-length', v);
          }
        });
        rstream2.pipe(readStream);
        if (savestream) {
          rstream2.pipe(savestream);
        }
      };
      if (savestream) {
        savestream.on('open', function () {
          on_open();
        });
        savestream.on('error', function (err) {
          self.logger.warn({
            err: err,
            fileName: file
          }, 'error saving file @{fileName}: @{err.message}\n@{err.stack}');
          if (savestream) {
            savestream.abort();
          }
          savestream = null;
          on_open();
        });
      } else {
        on_open();
      }
    }
  }

  /**
   * Retrieve the package metadata: the local manifest merged with the
   * manifest of every uplink with proxy access to the package.
   * Used storages: local && uplink (proxy_access)
   * @param {Object} options
   * @property {String} options.name package name
   * @property {Object} options.req Express `req` object
   * @property {Boolean} options.keepUpLinkData keep the uplink info (last update, etc.) in the package metadata
   * @property {Boolean} options.abbreviated serve the abbreviated manifest (npm install)
   * @property {Function} options.callback invoked with the merged manifest and any uplink errors
   */
  getPackage(options) {
    debug('get package for %o', options.name);
    this.localStorage.getPackageMetadata(options.name, (err, data) => {
      if (err && (!err.status || err.status >= _constants.HTTP_STATUS.INTERNAL_ERROR)) {
        // report internal errors right away
        return options.callback(err);
      }
      this._syncUplinksMetadata(options.name, data, {
        req: options.req,
        uplinksLook: options.uplinksLook
      }, function getPackageSynUpLinksCallback(err, result, uplinkErrors) {
        if (err) {
          return options.callback(err);
        }
        (0, _utils.normalizeDistTags)((0, _storageUtils.cleanUpLinksRef)(options.keepUpLinkData, result));

        // npm can throw if this field doesn't exist
        result._attachments = {};
        if (options.abbreviated === true) {
          debug('get abbreviated manifest');
          options.callback(null, (0, _storageUtils.convertAbbreviatedManifest)(result), uplinkErrors);
        } else {
          debug('get full package manifest');
          options.callback(null, result, uplinkErrors);
        }
      });
    });
  }

  /**
   * Retrieve remote and local packages more recent than the start key.
   * All uplinks are streamed first, then the local packages; local
   * packages can override registry ones just because they appear in the
   * JSON last — a trade-off made to avoid memory issues.
   * Used storages: local && uplink (proxy_access)
   * @param {String} startkey timestamp to search from
   * @param {Object} options request options; `local=1` in the query skips the uplinks
   * @return {Stream} object stream of search results
   */
  search(startkey, options) {
    const self = this;
    const searchStream = new _stream.default.PassThrough({
      objectMode: true
    });
    _async.default.eachSeries(Object.keys(this.uplinks), function (up_name, cb) {
      // shortcut: if `local=1` is supplied, don't call uplinks
      if (options.req?.query?.local !== undefined) {
        return cb();
      }
      _logger.logger.info(`search for uplink ${up_name}`);
      // search by keyword for each uplink
      const uplinkStream = self.uplinks[up_name].search(options);
      // join uplink stream with streams PassThrough
      uplinkStream.pipe(searchStream, {
        end: false
      });
      uplinkStream.on('error', function (err) {
        self.logger.error({
          err: err
        }, 'uplink error: @{err.message}');
        cb();
        // to avoid call callback more than once
        cb = function () {};
      });
      uplinkStream.on('end', function () {
        cb();
        // to avoid call callback more than once
        cb = function () {};
      });
      searchStream.abort = function () {
        if (uplinkStream.abort) {
          uplinkStream.abort();
        }
        cb();
        // to avoid call callback more than once
        cb = function () {};
      };
    },
    // executed after all series
    function () {
      // attach a local search results
      const localSearchStream = self.localStorage.search(startkey, options);
      searchStream.abort = function () {
        localSearchStream.abort();
      };
      localSearchStream.pipe(searchStream, {
        end: true
      });
      localSearchStream.on('error', function (err) {
        self.logger.error({
          err: err
        }, 'search error: @{err.message}');
        searchStream.end();
      });
    });
    return searchStream;
  }

  /**
   * Retrieve only private local packages, as the latest version of each.
   * Used storages: local (read)
   * @param {Function} callback invoked with the list of latest versions
   */
  getLocalDatabase(callback) {
    this.localStorage.storagePlugin.get((err, locals) => {
      if (err) {
        return callback(err);
      }
      this._collectLocalPackages(locals).then(packages => callback(null, packages), err => callback(err));
    });
  }

  /**
   * Read each local package name, apply filters, and collect the latest version.
   */
  async _collectLocalPackages(locals) {
    const packages = [];
    for (const name of locals) {
      try {
        const pkgMetadata = await this.localStorage.getPackageMetadataAsync(name);
        const {
          filteredPackage
        } = await this._applyFilters(pkgMetadata);
        const latest = filteredPackage[_constants.DIST_TAGS]?.latest;
        if (latest && filteredPackage.versions[latest]) {
          const version = filteredPackage.versions[latest];
          const timeList = filteredPackage.time;
          const time = timeList[latest];
          // @ts-ignore
          version.time = time;

          // Add for stars api
          // @ts-ignore
          version.users = filteredPackage.users;
          packages.push(version);
        } else {
          this.logger.warn({
            package: name
          }, 'package @{package} does not have a "latest" tag?');
        }
      } catch (err) {
        this.logger.error({
          err,
          package: name
        }, 'error reading package @{package}');
      }
    }
    return packages;
  }

  /**
   * Fetch the package metadata from every uplink with proxy access and
   * synchronize it with the local data; filter plugins are applied to the
   * merged result.
   * @param {String} name package name
   * @param {Manifest} packageInfo local manifest; MUST be provided when the package exists locally
   * @param {ISyncUplinks} options uplink request options
   * @param {Function} callback invoked with (err, mergedManifest, uplinkErrors)
   */
  _syncUplinksMetadata(name, packageInfo, options, callback) {
    let found = true;
    const self = this;
    const upLinks = [];
    const hasToLookIntoUplinks = _lodash.default.isNil(options.uplinksLook) || options.uplinksLook;
    debug('sync uplinks for %o', name);
    debug('is sync uplink enabled %o', hasToLookIntoUplinks);
    if (!packageInfo) {
      debug('local package %s not found', name);
      found = false;
      packageInfo = (0, _storageUtils.generatePackageTemplate)(name);
    }
    for (const uplink in this.uplinks) {
      if ((0, _config.hasProxyTo)(name, uplink, this.config.packages) && hasToLookIntoUplinks) {
        upLinks.push(this.uplinks[uplink]);
      }
    }
    debug('uplinks found for %o: %o', name, upLinks.length);
    _async.default.map(upLinks, (upLink, cb) => {
      const _options = Object.assign({}, options);
      const upLinkMeta = packageInfo._uplinks[upLink.upname];
      if ((0, _utils.isObject)(upLinkMeta)) {
        const fetched = upLinkMeta.fetched;
        if (fetched && Date.now() - fetched < upLink.maxage) {
          debug('returning cached manifest for %o', upLink.upname);
          return cb();
        }
        _options.etag = upLinkMeta.etag;
      }
      upLink.getRemoteMetadata(name, _options, (err, upLinkResponse, eTag) => {
        if (err && err.remoteStatus === 304) {
          debug('uplink %o responded 304 for %o, cache is up to date', upLink.upname, name);
          upLinkMeta.fetched = Date.now();
        }
        if (err || !upLinkResponse) {
          debug('error captured on uplink %o for %o: %o', upLink.upname, name, err?.message);
          return cb(null, [err || _utils.ErrorCode.getInternalError('no data')]);
        }
        try {
          upLinkResponse = _core.validationUtils.normalizeMetadata(upLinkResponse, name);
        } catch (err) {
          self.logger.error({
            sub: 'out',
            err: err
          }, 'package.json validating error @{!err.message}\n@{err.stack}');
          return cb(null, [err]);
        }
        packageInfo._uplinks[upLink.upname] = {
          etag: eTag,
          fetched: Date.now()
        };
        packageInfo = (0, _storageUtils.mergeUplinkTimeIntoLocal)(packageInfo, upLinkResponse);
        (0, _uplinkUtil.updateVersionsHiddenUpLink)(upLinkResponse.versions, upLink);
        try {
          (0, _metadataUtils.mergeVersions)(packageInfo, upLinkResponse);
        } catch (err) {
          self.logger.error({
            sub: 'out',
            err: err
          }, 'package.json parsing error @{!err.message}\n@{err.stack}');
          return cb(null, [err]);
        }

        // if we got to this point, assume that the correct package exists
        // on the uplink
        debug('syncing on uplink %o', upLink.upname);
        found = true;
        cb();
      });
    },
    // @ts-ignore
    async (err, upLinksErrors) => {
      (0, _assert.default)(!err && Array.isArray(upLinksErrors));

      // Check for connection timeout or reset errors with uplink(s)
      // (these should be handled differently from the package not being found)
      if (!found) {
        let uplinkTimeoutError;
        for (let i = 0; i < upLinksErrors.length; i++) {
          if (upLinksErrors[i]) {
            for (let j = 0; j < upLinksErrors[i].length; j++) {
              if (upLinksErrors[i][j]) {
                const code = upLinksErrors[i][j].code;
                if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'ECONNRESET') {
                  uplinkTimeoutError = true;
                  break;
                }
              }
            }
          }
        }
        if (uplinkTimeoutError) {
          debug('uplinks sync failed with timeout error');
          return callback(_utils.ErrorCode.getServiceUnavailable(), null, upLinksErrors);
        }
        debug('uplinks sync failed with no package found');
        return callback(_utils.ErrorCode.getNotFound(_constants.API_ERROR.NO_PACKAGE), null, upLinksErrors);
      }
      if (upLinks.length === 0) {
        debug('no uplinks found for %o, upstream update aborted', name);
        const {
          filteredPackage,
          filterErrors
        } = await self._applyFilters(packageInfo);
        return callback(null, filteredPackage, filterErrors);
      }
      try {
        const packageJsonLocal = await self.localStorage.updateVersionsAsync(name, packageInfo);
        const {
          filteredPackage,
          filterErrors
        } = await self._applyFilters(packageJsonLocal);
        callback(null, filteredPackage, _lodash.default.concat(upLinksErrors, filterErrors));
      } catch (err) {
        callback(err);
      }
    });
  }

  /**
   * Apply all configured filter plugins to a package manifest sequentially.
   * Each filter's output is passed as input to the next filter.
   * Returns the filtered manifest and any errors that occurred.
   */
  async _applyFilters(packageInfo) {
    const filterErrors = [];
    let filteredPackage = packageInfo;
    for (const filter of this.filters ?? []) {
      try {
        filteredPackage = await filter.filter_metadata(filteredPackage);
      } catch (err) {
        debug('filter plugin has failed on %o: %o', packageInfo.name, err?.message);
        filterErrors.push(err);
      }
    }
    return {
      filteredPackage,
      filterErrors
    };
  }

  /**
   * Check if a tarball should be served based on filter plugins, using only
   * local metadata. Returns true (defer) when the version isn't cached locally
   * — the uplink-sync path in getTarball re-checks filters after sync, which
   * avoids a redundant uplink round-trip and double filter application.
   */
  async _isTarballAllowedByFilters(name, filename) {
    if (!this.filters?.length) {
      return true;
    }
    try {
      const pkgMetadata = await this.localStorage.getPackageMetadataAsync(name);
      if (!(0, _utils.hasTarball)(pkgMetadata, filename)) {
        return true;
      }
      const {
        filteredPackage
      } = await this._applyFilters(pkgMetadata);
      const allowed = (0, _utils.hasTarball)(filteredPackage, filename);
      if (allowed === false) {
        debug('tarball %o of %o is blocked by a filter plugin', filename, name);
      }
      return allowed;
    } catch (err) {
      if (err?.status === _constants.HTTP_STATUS.NOT_FOUND) {
        return true;
      }
      this.logger.error({
        package: name,
        fileName: filename,
        err
      }, 'error checking filters for tarball @{fileName} of package @{package}: @{err.message}');
      return true;
    }
  }

  /**
   * Tag each version with the uplink it was fetched from, under a hidden
   * (symbol) key. The local storage uses the tag to record the registry
   * on the distfile records it creates.
   * @param {Versions} versions versions fetched from the uplink
   * @param {ProxyStorage} upLink uplink the versions were fetched from
   */
  _updateVersionsHiddenUpLink(versions, upLink) {
    for (const i in versions) {
      if (Object.prototype.hasOwnProperty.call(versions, i)) {
        const version = versions[i];

        // holds a "hidden" value to be used by the package storage.
        version[Symbol.for('__verdaccio_uplink')] = upLink.upname;
      }
    }
  }
}
var _default = exports.default = Storage;
