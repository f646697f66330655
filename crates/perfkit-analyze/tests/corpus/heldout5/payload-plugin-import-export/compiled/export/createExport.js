/* eslint-disable perfectionist/sort-objects */ import { stringify } from 'csv-stringify/sync';
import { APIError } from 'payload';
import { Readable } from 'stream';
import { applyFieldHooks } from '../utilities/applyFieldHooks.js';
import { buildDisabledFieldRegex } from '../utilities/buildDisabledFieldRegex.js';
import { flattenObject } from '../utilities/flattenObject.js';
import { getExportFieldFunctions } from '../utilities/getExportFieldFunctions.js';
import { getFilename } from '../utilities/getFilename.js';
import { getSchemaColumns, mergeColumns } from '../utilities/getSchemaColumns.js';
import { getSelect } from '../utilities/getSelect.js';
import { validateLimitValue } from '../utilities/validateLimitValue.js';
import { createExportBatchProcessor } from './batchProcessor.js';
export const createExport = async (args)=>{
    const { id, name: nameArg, batchSize = 100, collectionSlug, debug = false, download, drafts: draftsFromInput, exportCollection, fields, format, limit: incomingLimit, maxLimit, locale: localeFromInput, page, req, sort, userCollection, userID, where: whereFromInput = {} } = args;
    const { locale: localeFromReq, payload } = req;
    if (debug) {
        req.payload.logger.debug({
            msg: '[createExport] Starting export process',
            exportDocId: id,
            exportName: nameArg,
            collectionSlug,
            exportCollection,
            draft: draftsFromInput,
            fields,
            format
        });
    }
    const locale = localeFromInput ?? localeFromReq;
    const collectionConfig = payload.config.collections.find(({ slug })=>slug === collectionSlug);
    if (!collectionConfig) {
        throw new APIError(`Collection with slug ${collectionSlug} not found.`);
    }
    let user;
    if (userCollection && userID) {
        user = await req.payload.findByID({
            id: userID,
            collection: userCollection,
            overrideAccess: true
        });
    }
    if (!user && req.user) {
        user = req?.user?.id ? req.user : req?.user?.user;
    }
    if (!user) {
        throw new APIError('User authentication is required to create exports.');
    }
    const draft = draftsFromInput === 'yes';
    const hasVersions = Boolean(collectionConfig.versions);
    // Only filter by _status for versioned collections
    const publishedWhere = hasVersions ? {
        _status: {
            equals: 'published'
        }
    } : {};
    const where = {
        and: [
            whereFromInput,
            draft ? {} : publishedWhere
        ]
    };
    const baseName = nameArg ?? getFilename();
    const name = `${baseName}-${collectionSlug}.${format}`;
    const isCSV = format === 'csv';
    const select = Array.isArray(fields) && fields.length > 0 ? getSelect(fields) : undefined;
    if (debug) {
        req.payload.logger.debug({
            isCSV,
            locale,
            msg: 'Export configuration:',
            name
        });
    }
    // Determine maximum export documents:
    // 1. If maxLimit is defined, it sets the absolute ceiling
    // 2. User's limit is applied but clamped to maxLimit if it exceeds it
    let maxExportDocuments;
    if (typeof maxLimit === 'number' && maxLimit > 0) {
        if (typeof incomingLimit === 'number' && incomingLimit > 0) {
            // User provided a limit - clamp it to maxLimit
            maxExportDocuments = Math.min(incomingLimit, maxLimit);
        } else {
            // No user limit - use maxLimit as the ceiling
            maxExportDocuments = maxLimit;
        }
    } else {
        // No maxLimit - use user's limit if provided
        maxExportDocuments = typeof incomingLimit === 'number' && incomingLimit > 0 ? incomingLimit : undefined;
    }
    // Try to count documents - if access is denied, treat as 0 documents
    let totalDocs = 0;
    let accessDenied = false;
    try {
        const countResult = await payload.count({
            collection: collectionSlug,
            user,
            locale,
            overrideAccess: false
        });
        totalDocs = countResult.totalDocs;
    } catch (error) {
        // Access denied - user can't read from this collection
        // We'll create an empty export file
        accessDenied = true;
        if (debug) {
            req.payload.logger.debug({
                collectionSlug,
                msg: 'Access denied for collection, creating empty export'
            });
        }
    }
    const totalPages = Math.max(1, Math.ceil(totalDocs / batchSize));
    const requestedPage = page || 1;
    const adjustedPage = requestedPage > totalPages ? 1 : requestedPage;
    const findArgs = {
        collection: collectionSlug,
        depth: 1,
        draft,
        limit: batchSize,
        locale,
        overrideAccess: false,
        page: 0,
        select,
        sort,
        user,
        where
    };
    if (debug) {
        req.payload.logger.debug({
            findArgs,
            msg: 'Find arguments:'
        });
    }
    const exportFieldHooks = getExportFieldFunctions({
        fields: collectionConfig.flattenedFields
    });
    const exportHooks = collectionConfig.custom?.['plugin-import-export']?.exportHooks;
    const disabledFields = collectionConfig.admin?.custom?.['plugin-import-export']?.disabledFields ?? [];
    const disabledMatchers = disabledFields.map(buildDisabledFieldRegex);
    const filterDisabledCSV = (row)=>{
        const filtered = {};
        for (const [key, value] of Object.entries(row)){
            const isDisabled = disabledMatchers.some((matcher)=>matcher.test(key));
            if (!isDisabled) {
                filtered[key] = value;
            }
        }
        return filtered;
    };
    const filterDisabledJSON = (doc, parentPath = '')=>{
        if (Array.isArray(doc)) {
            return doc.map((item)=>filterDisabledJSON(item, parentPath));
        }
        if (typeof doc !== 'object' || doc === null) {
            return doc;
        }
        const filtered = {};
        for (const [key, value] of Object.entries(doc)){
            const currentPath = parentPath ? `${parentPath}.${key}` : key;
            // Only remove if this exact path is disabled
            const isDisabled = disabledFields.includes(currentPath);
            if (!isDisabled) {
                filtered[key] = filterDisabledJSON(value, currentPath);
            }
        }
        return filtered;
    };
    if (download) {
        const limitErrorMsg = validateLimitValue(incomingLimit, req.t);
        if (limitErrorMsg) {
            throw new APIError(limitErrorMsg);
        }
        // Get schema-based columns first (provides base ordering and handles empty exports)
        let schemaColumns = [];
        if (isCSV) {
            const localeCodes = locale === 'all' && payload.config.localization ? payload.config.localization.localeCodes : undefined;
            schemaColumns = getSchemaColumns({
                collectionConfig,
                disabledFields,
                fields,
                locale,
                localeCodes
            });
            if (debug) {
                req.payload.logger.debug({
                    columnCount: schemaColumns.length,
                    msg: 'Schema-based column inference complete'
                });
            }
        }
        // allColumns will be finalized after first batch (schema + data columns merged)
        let allColumns = [];
        let columnsFinalized = false;
        const encoder = new TextEncoder();
        let isFirstBatch = true;
        let currentBatchPage = adjustedPage;
        let fetched = 0;
        const maxDocs = typeof maxExportDocuments === 'number' ? maxExportDocuments : Number.POSITIVE_INFINITY;
        const effectiveStreamDocs = typeof maxExportDocuments === 'number' ? Math.min(totalDocs, maxExportDocuments) : totalDocs;
        const totalBatches = effectiveStreamDocs > 0 ? Math.ceil(effectiveStreamDocs / batchSize) : 1;
        let streamBatchNumber = 0;
        const stream = new Readable({
            async read () {
                const remaining = Math.max(0, maxDocs - fetched);
                if (remaining === 0) {
                    if (!isCSV) {
                        // If first batch with no remaining, output empty array; otherwise just close
                        this.push(encoder.encode(isFirstBatch ? '[]' : ']'));
                    }
                    this.push(null);
                    return;
                }
                const result = await payload.find({
                    ...findArgs,
                    page: currentBatchPage,
                    limit: Math.min(batchSize, remaining)
                });
                if (debug) {
                    req.payload.logger.debug(`Streaming batch ${currentBatchPage} with ${result.docs.length} docs`);
                }
                if (result.docs.length === 0) {
                    // Close JSON array properly if JSON
                    if (!isCSV) {
                        // If first batch with no docs, output empty array; otherwise just close
                        this.push(encoder.encode(isFirstBatch ? '[]' : ']'));
                    }
                    this.push(null);
                    return;
                }
                streamBatchNumber++;
                if (isCSV) {
                    // --- CSV Streaming ---
                    const batchRows = result.docs.map((doc)=>filterDisabledCSV(flattenObject({
                            data: doc,
                            fields,
                            format,
                            exportFieldHooks,
                            req
                        })));
                    const originalDocs = result.docs;
                    let batchRowsToWrite = batchRows;
                    if (exportHooks?.before && batchRows.length > 0) {
                        batchRowsToWrite = await exportHooks.before({
                            batchNumber: streamBatchNumber,
                            data: batchRows,
                            format,
                            originalData: originalDocs,
                            req,
                            totalBatches
                        });
                    }
                    // On first batch, discover additional columns from data and merge with schema
                    if (!columnsFinalized) {
                        const dataColumns = [];
                        const seenCols = new Set();
                        for (const row of batchRowsToWrite){
                            for (const key of Object.keys(row)){
                                if (!seenCols.has(key)) {
                                    seenCols.add(key);
                                    dataColumns.push(key);
                                }
                            }
                        }
                        // Merge schema columns with data-discovered columns.
                        // When a before hook is active and rows exist, restrict to columns actually present
                        // in the data so that the hook can remove fields by not returning them.
                        const mergedColumns = mergeColumns(schemaColumns, dataColumns);
                        allColumns = Boolean(exportHooks?.before) && batchRowsToWrite.length > 0 ? mergedColumns.filter((col)=>dataColumns.includes(col)) : mergedColumns;
                        columnsFinalized = true;
                        if (debug) {
                            req.payload.logger.debug({
                                dataColumnsCount: dataColumns.length,
                                finalColumnsCount: allColumns.length,
                                msg: 'Merged schema and data columns'
                            });
                        }
                    }
                    const paddedRows = batchRowsToWrite.map((row)=>{
                        const fullRow = {};
                        for (const col of allColumns){
                            fullRow[col] = row[col] ?? '';
                        }
                        return fullRow;
                    });
                    const csvString = stringify(paddedRows, {
                        bom: isFirstBatch,
                        header: isFirstBatch,
                        columns: allColumns
                    });
                    this.push(encoder.encode(csvString));
                    if (exportHooks?.after && batchRowsToWrite.length > 0) {
                        await exportHooks.after({
                            batchNumber: streamBatchNumber,
                            data: batchRowsToWrite,
                            format,
                            originalData: originalDocs,
                            req,
                            totalBatches
                        });
                    }
                } else {
                    // --- JSON Streaming ---
                    const batchRows = result.docs.map((doc)=>filterDisabledJSON(applyFieldHooks({
                            data: doc,
                            fieldHooks: exportFieldHooks,
                            fields: collectionConfig.flattenedFields,
                            format,
                            operation: 'export',
                            req,
                            type: 'beforeExport'
                        })));
                    const originalDocs = result.docs;
                    let batchRowsToWrite = batchRows;
                    if (exportHooks?.before && batchRows.length > 0) {
                        batchRowsToWrite = await exportHooks.before({
                            batchNumber: streamBatchNumber,
                            data: batchRows,
                            format,
                            originalData: originalDocs,
                            req,
                            totalBatches
                        });
                    }
                    // Convert each filtered/flattened row into JSON string
                    const batchJSON = batchRowsToWrite.map((row)=>JSON.stringify(row)).join(',');
                    if (isFirstBatch) {
                        this.push(encoder.encode('[' + batchJSON));
                    } else {
                        this.push(encoder.encode(',' + batchJSON));
                    }
                    if (exportHooks?.after && batchRowsToWrite.length > 0) {
                        await exportHooks.after({
                            batchNumber: streamBatchNumber,
                            data: batchRowsToWrite,
                            format,
                            originalData: originalDocs,
                            req,
                            totalBatches
                        });
                    }
                }
                fetched += result.docs.length;
                isFirstBatch = false;
                currentBatchPage += 1;
                if (!result.hasNextPage || fetched >= maxDocs) {
                    if (debug) {
                        req.payload.logger.debug('Stream complete - no more pages');
                    }
                    if (!isCSV) {
                        this.push(encoder.encode(']'));
                    }
                    this.push(null); // End the stream
                }
            }
        });
        return new Response(Readable.toWeb(stream), {
            headers: {
                'Content-Disposition': `attachment; filename="${name}"`,
                'Content-Type': isCSV ? 'text/csv; charset=utf-8' : 'application/json'
            }
        });
    }
    // Non-download path (buffered export)
    if (debug) {
        req.payload.logger.debug('Starting file generation');
    }
    // Create export batch processor
    const processor = createExportBatchProcessor({
        batchSize,
        debug
    });
    // Transform function based on format
    const transformDoc = (doc)=>isCSV ? filterDisabledCSV(flattenObject({
            data: doc,
            fields,
            format,
            exportFieldHooks,
            req
        })) : filterDisabledJSON(applyFieldHooks({
            data: doc,
            fieldHooks: exportFieldHooks,
            fields: collectionConfig.flattenedFields,
            format,
            operation: 'export',
            req,
            type: 'beforeExport'
        }));
    // Skip fetching if access was denied - we'll create an empty export
    let exportResult = {
        columns: [],
        docs: [],
        fetchedCount: 0
    };
    if (!accessDenied) {
        exportResult = await processor.processExport({
            collectionSlug,
            findArgs: findArgs,
            format,
            hooks: exportHooks,
            maxDocs: typeof maxExportDocuments === 'number' ? maxExportDocuments : Number.POSITIVE_INFINITY,
            req,
            startPage: adjustedPage,
            totalDocs,
            transformDoc
        });
    }
    const { columns: dataColumns, docs: rows } = exportResult;
    const outputData = [];
    // Prepare final output
    if (isCSV) {
        // Get schema-based columns for consistent ordering
        const localeCodes = locale === 'all' && payload.config.localization ? payload.config.localization.localeCodes : undefined;
        const schemaColumns = getSchemaColumns({
            collectionConfig,
            disabledFields,
            fields,
            locale,
            localeCodes
        });
        // Merge schema columns with data-discovered columns
        // Schema provides ordering, data provides additional columns (e.g., array indices > 0)
        // When a before hook is active and rows exist, restrict to columns actually present in the data
        // so that the hook can remove fields by not returning them
        const mergedColumns = mergeColumns(schemaColumns, dataColumns);
        const finalColumns = Boolean(exportHooks?.before) && rows.length > 0 ? mergedColumns.filter((col)=>dataColumns.includes(col)) : mergedColumns;
        const paddedRows = rows.map((row)=>{
            const fullRow = {};
            for (const col of finalColumns){
                fullRow[col] = row[col] ?? '';
            }
            return fullRow;
        });
        // Always output CSV with header, even if empty
        outputData.push(stringify(paddedRows, {
            bom: true,
            header: true,
            columns: finalColumns
        }));
    } else {
        // JSON format
        outputData.push(rows.map((doc)=>JSON.stringify(doc)).join(',\n'));
    }
    // Ensure we always have valid content for the file
    // For JSON, empty exports produce "[]"
    // For CSV, if completely empty (no columns, no rows), produce at least a newline to ensure file creation
    const content = format === 'json' ? `[${outputData.join(',')}]` : outputData.join('');
    const buffer = Buffer.from(content.length > 0 ? content : '\n');
    if (debug) {
        req.payload.logger.debug(`${format} file generation complete`);
    }
    if (!id) {
        if (debug) {
            req.payload.logger.debug('Creating new export file');
        }
        req.file = {
            name,
            data: buffer,
            mimetype: isCSV ? 'text/csv; charset=utf-8' : 'application/json',
            size: buffer.length
        };
    } else {
        if (debug) {
            req.payload.logger.debug({
                msg: '[createExport] Updating export document with file',
                exportDocId: id,
                exportCollection,
                fileName: name,
                fileSize: buffer.length,
                mimeType: isCSV ? 'text/csv; charset=utf-8' : 'application/json'
            });
        }
        try {
            await req.payload.update({
                id,
                collection: exportCollection,
                data: {},
                file: {
                    name,
                    data: buffer,
                    mimetype: isCSV ? 'text/csv; charset=utf-8' : 'application/json',
                    size: buffer.length
                },
                // Override access only here so that we can be sure the export collection itself is updated as expected
                overrideAccess: true,
                req
            });
        } catch (error) {
            const errorDetails = error instanceof Error ? {
                message: error.message,
                name: error.name,
                stack: error.stack,
                // @ts-expect-error - data might exist on Payload errors
                data: error.data
            } : error;
            req.payload.logger.error({
                msg: '[createExport] Failed to update export document with file',
                err: errorDetails,
                exportDocId: id,
                exportCollection,
                fileName: name
            });
            throw error;
        }
    }
    if (debug) {
        req.payload.logger.debug('Export process completed successfully');
    }
};

