'use strict';

var backendPluginApi = require('@backstage/backend-plugin-api');
var util = require('./util.cjs.js');

var _documentCurrentScript = typeof document !== 'undefined' ? document.currentScript : null;
const migrationsDir = backendPluginApi.resolvePackagePath((typeof document === 'undefined' ? require('u' + 'rl').pathToFileURL(__filename).href : (_documentCurrentScript && _documentCurrentScript.tagName.toUpperCase() === 'SCRIPT' && _documentCurrentScript.src || new URL('database/DatabaseDocumentStore.cjs.js', document.baseURI).href)), "migrations");
function quoteHeadlineOption(value) {
  return `"${String(value).replace(/"/g, '""')}"`;
}
class DatabaseDocumentStore {
  static async create(database) {
    const knex = await database.getClient();
    try {
      const majorVersion = await util.queryPostgresMajorVersion(knex);
      if (majorVersion < 12) {
        throw new Error(
          `The PgSearchEngine requires at least postgres version 12 (but is running on ${majorVersion})`
        );
      }
    } catch {
      throw new Error(
        "The PgSearchEngine is only supported when using a postgres database (>=12.x)"
      );
    }
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: migrationsDir
      });
    }
    return new DatabaseDocumentStore(knex);
  }
  static async supported(knex) {
    try {
      const majorVersion = await util.queryPostgresMajorVersion(knex);
      return majorVersion >= 12;
    } catch {
      return false;
    }
  }
  db;
  constructor(db) {
    this.db = db;
  }
  async transaction(fn) {
    return await this.db.transaction(fn);
  }
  async getTransaction() {
    return this.db.transaction();
  }
  async prepareInsert(tx) {
    await tx.raw(
      "CREATE TEMP TABLE documents_to_insert (type text NOT NULL, document jsonb NOT NULL, hash bytea NOT NULL GENERATED ALWAYS AS (sha256(replace(document::text || type, '\\', '\\\\')::bytea)) STORED) ON COMMIT DROP"
    );
  }
  async completeInsert(tx, type, truncate = false) {
    await tx.raw("ANALYZE documents_to_insert");
    const documentSelect = truncate ? tx.raw(
      `jsonb_set(document, '{text}', to_jsonb(LEFT(document->>'text', 50000))) as document`
    ) : "document";
    const rowsToInsert = tx("documents_to_insert").select("type", documentSelect, "hash").whereNotExists(
      tx("documents").select(tx.raw("1")).whereRaw("documents.hash = documents_to_insert.hash")
    );
    await tx.insert(rowsToInsert).into(tx.raw("documents (type, document, hash)")).onConflict("hash").ignore();
    const rowsToDelete = tx("documents").select("documents.hash").leftJoin("documents_to_insert", {
      "documents.hash": "documents_to_insert.hash"
    }).where("documents.type", type).whereNull("documents_to_insert.hash");
    await tx("documents").where({ type }).whereIn("hash", rowsToDelete).delete();
  }
  async insertDocuments(tx, type, documents) {
    await tx("documents_to_insert").insert(
      documents.map((document) => ({
        type,
        document: {
          ...document
          // text: truncateDocsText(document.text),
        }
      }))
    );
  }
  async query(tx, searchQuery) {
    const {
      types,
      pgTerm,
      fields,
      offset,
      limit,
      normalization = 0,
      options
    } = searchQuery;
    const query = tx("documents");
    if (pgTerm) {
      query.from(tx.raw("documents, to_tsquery('english', ?) query", pgTerm)).whereRaw("query @@ body");
    } else {
      query.from("documents");
    }
    if (types) {
      query.whereIn("type", types);
    }
    if (fields) {
      Object.keys(fields).forEach((key) => {
        const value = fields[key];
        const valueArray = Array.isArray(value) ? value : [value];
        const fieldValueCompare = valueArray.map((v) => ({ [key]: v })).map((v) => JSON.stringify(v));
        const arrayValueCompare = valueArray.map((v) => ({ [key]: [v] })).map((v) => JSON.stringify(v));
        const valueCompare = [...fieldValueCompare, ...arrayValueCompare];
        query.whereRaw(
          `(${valueCompare.map(() => "document @> ?").join(" OR ")})`,
          valueCompare
        );
      });
    }
    query.select("type", "document");
    query.select(tx.raw("COUNT(*) OVER() AS total_count"));
    if (pgTerm && options.useHighlight) {
      const headlineOptions = [
        `MaxWords=${options.maxWords}`,
        `MinWords=${options.minWords}`,
        `ShortWord=${options.shortWord}`,
        `HighlightAll=${options.highlightAll}`,
        `MaxFragments=${options.maxFragments}`,
        `FragmentDelimiter=${quoteHeadlineOption(options.fragmentDelimiter)}`,
        `StartSel=${quoteHeadlineOption(options.preTag)}`,
        `StopSel=${quoteHeadlineOption(options.postTag)}`
      ].join(", ");
      query.select(tx.raw('ts_rank_cd(body, query, ?) AS "rank"', [normalization])).select(
        tx.raw(`ts_headline('english', document, query, ?) as "highlight"`, [
          headlineOptions
        ])
      ).orderBy("rank", "desc");
    } else if (pgTerm && !options.useHighlight) {
      query.select(tx.raw('ts_rank_cd(body, query, ?) AS "rank"', [normalization])).orderBy("rank", "desc");
    } else {
      query.select(tx.raw("1 as rank"));
    }
    return await query.offset(offset).limit(limit);
  }
}

exports.DatabaseDocumentStore = DatabaseDocumentStore;
