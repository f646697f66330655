"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.WHITELIST = void 0;
exports.checkPackageLocal = checkPackageLocal;
exports.checkPackageRemote = checkPackageRemote;
exports.cleanUpLinksRef = cleanUpLinksRef;
exports.cleanUpReadme = cleanUpReadme;
exports.convertAbbreviatedManifest = convertAbbreviatedManifest;
exports.distFileFromVersion = distFileFromVersion;
exports.generatePackageTemplate = generatePackageTemplate;
exports.generateRevision = generateRevision;
exports.getLatestReadme = getLatestReadme;
exports.hasInstallScript = hasInstallScript;
exports.isPublishablePackage = isPublishablePackage;
exports.lookupDistFile = lookupDistFile;
exports.mergeUplinkTimeIntoLocal = mergeUplinkTimeIntoLocal;
exports.normalizePackage = normalizePackage;
exports.prepareSearchPackage = prepareSearchPackage;
exports.publishPackage = publishPackage;
exports.tarballMatchesFilename = tarballMatchesFilename;
var _debug = _interopRequireDefault(require("debug"));
var _lodash = _interopRequireDefault(require("lodash"));
var _core = require("@verdaccio/core");
var _searchIndexer = require("@verdaccio/search-indexer");
var _utils = require("@verdaccio/utils");
var _constants = require("./constants");
var _logger = require("./logger");
var _utils2 = require("./utils");
function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }
const debug = (0, _debug.default)('verdaccio:storage-utils');

/**
 * Create an empty package manifest with all the internal bookkeeping
 * sections (`_uplinks`, `_distfiles`, `_attachments`, `_rev`) initialized.
 * Used as the starting point when a package is seen for the first time.
 * @param name package name
 * @return an empty manifest for the given package
 */
function generatePackageTemplate(name) {
  return {
    // standard things
    name,
    versions: {},
    time: {},
    [_constants.USERS]: {},
    [_constants.DIST_TAGS]: {},
    _uplinks: {},
    _distfiles: {},
    _attachments: {},
    _rev: ''
  };
}

/**
 * Normalize a manifest read from storage: ensure the object sections
 * (`versions`, `dist-tags`, `_distfiles`, `_attachments`, `_uplinks`, `time`)
 * exist, default the revision and `_id`, and normalize the dist-tags shape.
 * The manifest is mutated in place.
 * @param pkg package manifest reference
 * @return the same manifest, normalized
 */
function normalizePackage(pkg) {
  const pkgProperties = ['versions', 'dist-tags', '_distfiles', '_attachments', '_uplinks', 'time'];
  pkgProperties.forEach(key => {
    const pkgProp = pkg[key];
    if (_lodash.default.isNil(pkgProp) || (0, _utils2.isObject)(pkgProp) === false) {
      pkg[key] = {};
    }
  });
  if (_lodash.default.isString(pkg._rev) === false) {
    debug('package %o has no revision, setting default', pkg.name);
    pkg._rev = _constants.STORAGE.DEFAULT_REVISION;
  }
  if (_lodash.default.isString(pkg._id) === false) {
    pkg._id = pkg.name;
  }

  // normalize dist-tags
  (0, _utils2.normalizeDistTags)(pkg);
  return pkg;
}

/**
 * Produce the next revision id in the `<counter>-<hash>` format used by the
 * storage layer, incrementing the counter of the previous revision.
 * @param rev previous revision id, eg. `2-a1b2c3`
 * @return the next revision id
 */
function generateRevision(rev) {
  const _rev = rev.split('-');
  return (+_rev[0] || 0) + 1 + '-' + (0, _utils.generateRandomHexString)();
}

/**
 * Pick the most relevant readme for a package: the manifest readme or the
 * `latest` version readme first, otherwise the first readme found across the
 * `next`, `beta`, `alpha`, `test`, `dev` and `canary` dist-tags, in that order.
 * @param pkg package manifest
 * @return the readme content, or an empty string when none is available
 */
function getLatestReadme(pkg) {
  const versions = pkg['versions'] || {};
  const distTags = pkg[_constants.DIST_TAGS] || {};
  // FIXME: here is a bit tricky add the types
  const latestVersion = distTags['latest'] ? versions[distTags['latest']] || {} : {};
  let readme = _lodash.default.trim(pkg.readme || latestVersion.readme || '');
  if (readme) {
    return readme;
  }

  // In case of empty readme - trying to get ANY readme in the following order: 'next','beta','alpha','test','dev','canary'
  const readmeDistTagsPriority = ['next', 'beta', 'alpha', 'test', 'dev', 'canary'];
  readmeDistTagsPriority.map(function (tag) {
    if (readme) {
      return readme;
    }
    const version = distTags[tag] ? versions[distTags[tag]] || {} : {};
    readme = _lodash.default.trim(version.readme || readme);
  });
  return readme;
}

/**
 * Remove the readme from a version object: only one readme is kept per
 * package (see getLatestReadme), never one per version. The version is
 * mutated in place.
 * @param version version metadata
 * @return the same version without its readme
 */
function cleanUpReadme(version) {
  if (_lodash.default.isNil(version) === false) {
    // @ts-ignore
    delete version.readme;
  }
  return version;
}

/**
 * Manifest properties allowed in responses served to clients; everything
 * else is verdaccio-internal bookkeeping and is stripped by cleanUpLinksRef.
 */
const WHITELIST = exports.WHITELIST = ['_rev', 'name', 'versions', 'dist-tags', 'readme', 'time', '_id', 'users'];

/**
 * Strip verdaccio-internal sections (`_distfiles`, `_attachments`, ...) from
 * a manifest before serving it to a client. The manifest is mutated in place.
 * @param keepUpLinkData whether the `_uplinks` section should be preserved
 * @param result manifest to clean up
 * @return the same manifest with only whitelisted properties
 */
function cleanUpLinksRef(keepUpLinkData, result) {
  const propertyToKeep = [...WHITELIST];
  if (keepUpLinkData === true) {
    propertyToKeep.push('_uplinks');
  }
  for (const i in result) {
    if (propertyToKeep.indexOf(i) === -1) {
      // Remove sections like '_uplinks' from response
      delete result[i];
    }
  }
  return result;
}

/**
 * Verify a package does not exist locally yet; part of the publish flow.
 * @param name package name
 * @param localStorage local storage instance
 * @throws conflict error when the package already exists locally
 */
async function checkPackageLocal(name, localStorage) {
  debug('checking if %o already exists locally', name);
  try {
    const results = await localStorage.getPackageMetadataAsync(name);
    if (results) {
      debug('package %o already exists locally', name);
      throw _utils2.ErrorCode.getConflict(_constants.API_ERROR.PACKAGE_EXIST);
    }
  } catch (err) {
    if (err.status === _constants.HTTP_STATUS.NOT_FOUND) {
      debug('package %o does not exist locally', name);
      return;
    }
    throw err;
  }
}

/**
 * Create a new package in the local storage and register its latest version
 * in the in-memory search indexer.
 * @param name package name
 * @param metadata package manifest to store
 * @param localStorage local storage instance
 */
function publishPackage(name, metadata, localStorage) {
  debug('publishing a new package for %o', name);
  return new Promise((resolve, reject) => {
    localStorage.addPackage(name, metadata, (err, latest) => {
      if (!_lodash.default.isNull(err)) {
        return reject(err);
      } else if (!_lodash.default.isUndefined(latest)) {
        _searchIndexer.SearchMemoryIndexer.add(latest).catch(reason => {
          debug('indexer has failed on add item %o', reason);
          _logger.logger.error('indexer has failed on add item');
        });
      }
      return resolve();
    });
  });
}

/**
 * Verify a package does not exist on any uplink yet; part of the publish
 * flow. Uplink failures other than 404 reject the publish, unless
 * `publish.allow_offline` is enabled in the configuration.
 * @param name package name
 * @param isAllowPublishOffline whether publishing with unreachable uplinks is allowed
 * @param syncMetadata bound Storage._syncUplinksMetadata function
 * @throws conflict error when the package exists upstream, service unavailable when uplinks are offline
 */
function checkPackageRemote(name, isAllowPublishOffline, syncMetadata) {
  debug('checking if %o already exists on uplinks', name);
  return new Promise((resolve, reject) => {
    syncMetadata(name, null, {}, (err, packageJsonLocal, upLinksErrors) => {
      // something weird
      if (err && err.status !== _constants.HTTP_STATUS.NOT_FOUND) {
        return reject(err);
      }

      // checking package exist already
      if (_lodash.default.isNil(packageJsonLocal) === false) {
        debug('package %o already exists on an uplink', name);
        return reject(_utils2.ErrorCode.getConflict(_constants.API_ERROR.PACKAGE_EXIST));
      }
      for (let errorItem = 0; errorItem < upLinksErrors.length; errorItem++) {
        // checking error
        // if uplink fails with a status other than 404, we report failure
        if (_lodash.default.isNil(upLinksErrors[errorItem][0]) === false) {
          if (upLinksErrors[errorItem][0].status !== _constants.HTTP_STATUS.NOT_FOUND) {
            if (isAllowPublishOffline) {
              debug('uplink offline for %o, publish offline is allowed', name);
              return resolve();
            }
            debug('uplink offline for %o, rejecting publish', name);
            return reject(_utils2.ErrorCode.getServiceUnavailable(_constants.API_ERROR.UPLINK_OFFLINE_PUBLISH));
          }
        }
      }
      return resolve();
    });
  });
}

/**
 * Merge the `time` field of a remote manifest into the cached one; remote
 * entries win on conflicts. Returns a new manifest, the inputs are untouched.
 * @param cacheManifest local cached manifest
 * @param remoteManifest manifest fetched from an uplink
 * @return the cached manifest with the merged time field
 */
function mergeUplinkTimeIntoLocal(cacheManifest, remoteManifest) {
  if ('time' in remoteManifest) {
    debug('merging remote time field into local manifest for %o', cacheManifest.name);
    // remote override cache time conflicts
    return {
      ...cacheManifest,
      time: {
        ...cacheManifest.time,
        ...remoteManifest.time
      }
    };
  }
  return cacheManifest;
}

/**
 * Build the search item emitted for a local package during a search stream,
 * based on its latest version: npm-search compatible maintainers
 * (`{ username, email }`), publisher (from `_npmUser`, falling back to the
 * first maintainer), license and links.
 * @param data package manifest
 * @param time modified time attached to the search item
 * @return the search item, or undefined when the package has no usable latest version
 */
function prepareSearchPackage(data, time) {
  const latest = _core.pkgUtils.getLatest(data);
  if (!latest || !data.versions[latest]) {
    debug('no latest version found for %o, skipping search item', data.name);
    return;
  }
  debug('preparing search item for %o@%o', data.name, latest);
  if (latest && data.versions[latest]) {
    const version = data.versions[latest];
    const versions = {
      [latest]: 'latest'
    };
    // packument maintainers carry `name`, but the npm search API contract uses
    // `username` and the npm CLI crashes on entries without it — emit both
    const rawMaintainers = version.maintainers || [version.author].filter(Boolean);
    const maintainers = Array.isArray(rawMaintainers) ? rawMaintainers.map(maintainer => typeof maintainer === 'string' ? {
      username: maintainer,
      email: ''
    } : {
      ...maintainer,
      username: maintainer?.username ?? maintainer?.name ?? '',
      email: maintainer?.email ?? ''
    }) : [];
    // npmjs fills `publisher` with the user who published the version; use
    // `_npmUser` when the publishing client provided it and fall back to the
    // first maintainer, otherwise the npm CLI renders "published by ???"
    const npmUser = version._npmUser;
    const publisher = npmUser?.name ? {
      username: npmUser.name,
      email: npmUser.email ?? ''
    } : maintainers[0] ?? {};
    const pkg = {
      name: version.name,
      description: version.description,
      [_constants.DIST_TAGS]: {
        latest
      },
      maintainers,
      publisher,
      author: version.author,
      repository: version.repository,
      readmeFilename: version.readmeFilename || '',
      homepage: version.homepage,
      keywords: version.keywords,
      time: {
        modified: time
      },
      bugs: version.bugs,
      license: version.license,
      versions
    };
    return pkg;
  }
}

/**
 * Whether the tarball url path ends with the given file name
 * (any query string or fragment is ignored, like the path parsing
 * in updateVersions).
 */
function tarballMatchesFilename(tarball, filename) {
  return tarball.split(/[?#]/)[0].endsWith(`/${filename}`);
}

/**
 * Build a distfile record from a version's dist metadata when its tarball
 * url matches the given file name.
 */
function distFileFromVersion(version, filename) {
  const dist = version?.dist;
  if (dist?.tarball && tarballMatchesFilename(dist.tarball, filename)) {
    return {
      url: dist.tarball,
      sha: dist.shasum
    };
  }
  return null;
}

/**
 * Resolve the distfile record for a tarball filename. Prefers the
 * `_distfiles` bookkeeping, but falls back to the version metadata when the
 * record is missing (storages written by other verdaccio versions cache
 * versions without their distfile records, which made those tarballs
 * permanently unavailable).
 * @param manifest cached manifest
 * @param filename tarball file name, eg. pkg-1.0.0.tgz
 */
function lookupDistFile(manifest, filename) {
  const distFile = manifest?._distfiles?.[filename];
  if (_lodash.default.isNil(distFile) === false) {
    return distFile;
  }
  const versions = manifest?.versions ?? {};

  // tarballs are conventionally named <basename>-<version>.tgz, so the
  // version can usually be derived from the filename without scanning
  // manifests that carry thousands of versions
  const basename = manifest?.name?.replace(/^.*\//, '');
  if (basename && filename.startsWith(`${basename}-`) && filename.endsWith('.tgz')) {
    const versionId = filename.slice(basename.length + 1, -'.tgz'.length);
    const distFromVersion = distFileFromVersion(versions[versionId], filename);
    if (distFromVersion) {
      debug('distfile record missing for %o, using version %o dist', filename, versionId);
      return distFromVersion;
    }
  }

  // unconventional tarball names: fall back to a scan
  for (const versionId in versions) {
    const distFromVersion = distFileFromVersion(versions[versionId], filename);
    if (distFromVersion) {
      debug('distfile record missing for %o, using version %o dist', filename, versionId);
      return distFromVersion;
    }
  }
  debug('no distfile record or version dist found for %o', filename);
  return null;
}

/**
 * Check whether the package metadata has enough data to be published.
 * @param pkg package manifest
 * @return true when the manifest carries a versions section
 */
function isPublishablePackage(pkg) {
  const keys = Object.keys(pkg);
  return keys.includes('versions');
}

/**
 * Whether a version declares an install lifecycle script (`install`,
 * `preinstall` or `postinstall`); surfaced in abbreviated manifests as
 * `hasInstallScript` so clients can warn about script execution.
 * @param version version metadata
 * @return true when an install script is present
 */
function hasInstallScript(version) {
  if (version?.scripts) {
    const scripts = Object.keys(version.scripts);
    return scripts.find(item => {
      return ['install', 'preinstall', 'postinstall'].includes(item);
    }) !== undefined;
  }
  return false;
}

/**
 * Convert a full manifest into the abbreviated format served when the client
 * requests `application/vnd.npm.install-v1+json` (npm install), keeping only
 * the fields the npm registry contract defines for installation.
 * https://github.com/npm/registry/blob/master/docs/responses/package-metadata.md
 * @param manifest full package manifest
 * @return the abbreviated manifest
 */
function convertAbbreviatedManifest(manifest) {
  if (debug.enabled) {
    debug('converting %o to abbreviated manifest with %o versions', manifest.name, Object.keys(manifest.versions).length);
  }
  const abbreviatedVersions = Object.keys(manifest.versions).reduce((acc, version) => {
    const _version = manifest.versions[version];
    // This should be align with this document
    // https://github.com/npm/registry/blob/master/docs/responses/package-metadata.md#abbreviated-version-object
    const _version_abbreviated = {
      name: _version.name,
      version: _version.version,
      description: _version.description,
      deprecated: _version.deprecated,
      bin: _version.bin,
      dist: _version.dist,
      engines: _version.engines,
      cpu: _version.cpu,
      os: _version.os,
      funding: _version.funding,
      directories: _version.directories,
      dependencies: _version.dependencies,
      devDependencies: _version.devDependencies,
      peerDependencies: _version.peerDependencies,
      peerDependenciesMeta: _version.peerDependenciesMeta,
      optionalDependencies: _version.optionalDependencies,
      bundleDependencies: _version.bundleDependencies,
      // npm cli specifics
      _hasShrinkwrap: _version._hasShrinkwrap,
      hasInstallScript: hasInstallScript(_version)
    };
    acc[version] = _version_abbreviated;
    return acc;
  }, {});
  const convertedManifest = {
    name: manifest['name'],
    [_constants.DIST_TAGS]: manifest[_constants.DIST_TAGS],
    versions: abbreviatedVersions,
    // @ts-ignore
    modified: manifest?.time?.modified,
    // NOTE: special case for pnpm https://github.com/pnpm/rfcs/pull/2
    time: manifest?.time
  };

  // @ts-ignore
  return convertedManifest;
}
