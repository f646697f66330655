import { isolateObjectProperty } from 'payload';
import { categorizeError, createBatches, extractErrorMessage } from '../utilities/useBatchProcessor.js';
/**
 * Separates multi-locale data from a document for sequential locale updates.
 *
 * When a field has locale-keyed values (e.g., { title: { en: 'Hello', es: 'Hola' } }),
 * this extracts the default locale's data for initial create/update, and stores
 * remaining locales for subsequent update calls.
 *
 * @returns
 * - flatData: Document with default locale values extracted (for initial operation)
 * - hasMultiLocale: Whether any multi-locale fields were found
 * - localeUpdates: Map of locale -> field data for follow-up updates
 */ function extractMultiLocaleData(data, configuredLocales, defaultLocale) {
    const flatData = {};
    const localeUpdates = {};
    let hasMultiLocale = false;
    if (!configuredLocales || configuredLocales.length === 0) {
        return {
            flatData: {
                ...data
            },
            hasMultiLocale: false,
            localeUpdates: {}
        };
    }
    const localeSet = new Set(configuredLocales);
    for (const [key, value] of Object.entries(data)){
        if (value && typeof value === 'object' && !Array.isArray(value)) {
            const valueObj = value;
            const localeKeys = Object.keys(valueObj).filter((k)=>localeSet.has(k));
            if (localeKeys.length > 0) {
                hasMultiLocale = true;
                const baseLocale = defaultLocale && localeKeys.includes(defaultLocale) ? defaultLocale : localeKeys[0];
                if (baseLocale) {
                    flatData[key] = valueObj[baseLocale];
                    for (const locale of localeKeys){
                        if (locale !== baseLocale) {
                            if (!localeUpdates[locale]) {
                                localeUpdates[locale] = {};
                            }
                            localeUpdates[locale][key] = valueObj[locale];
                        }
                    }
                }
            } else {
                flatData[key] = value;
            }
        } else {
            flatData[key] = value;
        }
    }
    return {
        flatData,
        hasMultiLocale,
        localeUpdates
    };
}
/**
 * Processes a batch of documents for import based on the import mode.
 *
 * For each document in the batch:
 * - create: Creates a new document (removes any existing ID)
 * - update: Finds existing document by matchField and updates it
 * - upsert: Updates if found, creates if not found
 *
 * Handles versioned collections, multi-locale data, and MongoDB ObjectID validation.
 * Continues processing remaining documents even if individual imports fail.
 */ async function processImportBatch({ batch, batchIndex, collectionSlug, importMode, matchField, options, req: reqFromArgs, user }) {
    const result = {
        failed: [],
        successful: []
    };
    // Create a request proxy that isolates the transactionID property, then clear it.
    // This is critical because if a nested operation fails (e.g., Forbidden due to access control),
    // Payload's error handling calls killTransaction(req), which would kill the parent's transaction
    // if we shared the same transaction. By isolating and clearing transactionID, each nested
    // operation either uses no transaction or starts its own, independent of the parent.
    const req = isolateObjectProperty(reqFromArgs, 'transactionID');
    req.transactionID = undefined;
    const collectionEntry = req.payload.collections[collectionSlug];
    const collectionConfig = collectionEntry?.config;
    const collectionHasVersions = Boolean(collectionConfig?.versions);
    const hasCustomIdField = Boolean(collectionEntry?.customIDType);
    const configuredLocales = req.payload.config.localization ? req.payload.config.localization.localeCodes : undefined;
    const defaultLocale = req.payload.config.localization ? req.payload.config.localization.defaultLocale : undefined;
    const startingRowNumber = batchIndex * options.batchSize;
    for(let i = 0; i < batch.length; i++){
        const document = batch[i];
        if (!document) {
            continue;
        }
        const rowNumber = startingRowNumber + i + 1;
        try {
            let savedDocument;
            let existingDocResult;
            if (importMode === 'create') {
                const createData = {
                    ...document
                };
                if (!hasCustomIdField) {
                    delete createData.id;
                }
                let draftOption;
                if (collectionHasVersions) {
                    const statusValue = createData._status || options.defaultVersionStatus;
                    const isPublished = statusValue !== 'draft';
                    draftOption = !isPublished;
                    createData._status = statusValue;
                    if (req.payload.config.debug) {
                        req.payload.logger.info({
                            _status: createData._status,
                            isPublished,
                            msg: 'Status handling in create',
                            willSetDraft: draftOption
                        });
                    }
                }
                if (req.payload.config.debug && 'title' in createData) {
                    req.payload.logger.info({
                        msg: 'Creating document',
                        title: createData.title,
                        titleIsNull: createData.title === null,
                        titleType: typeof createData.title
                    });
                }
                // Check if we have multi-locale data and extract it
                const { flatData, hasMultiLocale, localeUpdates } = extractMultiLocaleData(createData, configuredLocales, defaultLocale);
                if (hasMultiLocale) {
                    // Create with default locale data
                    const defaultLocaleReq = defaultLocale ? {
                        ...req,
                        locale: defaultLocale
                    } : req;
                    savedDocument = await req.payload.create({
                        collection: collectionSlug,
                        data: flatData,
                        draft: draftOption,
                        overrideAccess: false,
                        req: defaultLocaleReq,
                        user
                    });
                    if (savedDocument && Object.keys(localeUpdates).length > 0) {
                        for (const [locale, localeData] of Object.entries(localeUpdates)){
                            try {
                                await req.payload.update({
                                    id: savedDocument.id,
                                    collection: collectionSlug,
                                    data: localeData,
                                    draft: collectionHasVersions ? false : undefined,
                                    overrideAccess: false,
                                    req: {
                                        ...req,
                                        locale
                                    },
                                    user
                                });
                            } catch (error) {
                                req.payload.logger.error({
                                    err: error,
                                    msg: `Failed to update locale ${locale} for document ${String(savedDocument.id)}`
                                });
                            }
                        }
                    }
                } else {
                    // No multi-locale data, create normally
                    savedDocument = await req.payload.create({
                        collection: collectionSlug,
                        data: createData,
                        draft: draftOption,
                        overrideAccess: false,
                        req,
                        user
                    });
                }
            } else if (importMode === 'update' || importMode === 'upsert') {
                const matchValue = document[matchField || 'id'];
                if (!matchValue) {
                    throw new Error(`Match field "${matchField || 'id'}" not found in document`);
                }
                // Special handling for ID field with MongoDB
                // If matching by 'id' and it's not a valid ObjectID format, handle specially
                const isMatchingById = (matchField || 'id') === 'id';
                // Check if it's a valid MongoDB ObjectID format (24 hex chars)
                // Note: matchValue could be string, number, or ObjectID object
                let matchValueStr;
                if (typeof matchValue === 'object' && matchValue !== null) {
                    matchValueStr = JSON.stringify(matchValue);
                } else if (typeof matchValue === 'string') {
                    matchValueStr = matchValue;
                } else if (typeof matchValue === 'number') {
                    matchValueStr = matchValue.toString();
                } else {
                    // For other types, use JSON.stringify
                    matchValueStr = JSON.stringify(matchValue);
                }
                const isValidObjectIdFormat = /^[0-9a-f]{24}$/i.test(matchValueStr);
                try {
                    existingDocResult = await req.payload.find({
                        collection: collectionSlug,
                        depth: 0,
                        limit: 1,
                        overrideAccess: false,
                        req,
                        user,
                        where: {
                            [matchField || 'id']: {
                                equals: matchValue
                            }
                        }
                    });
                } catch (error) {
                    // MongoDB may throw for invalid ObjectID format - handle gracefully for upsert
                    if (isMatchingById && importMode === 'upsert' && !isValidObjectIdFormat) {
                        existingDocResult = {
                            docs: []
                        };
                    } else if (isMatchingById && importMode === 'update' && !isValidObjectIdFormat) {
                        throw new Error(`Invalid ID format for update: ${matchValueStr}`);
                    } else {
                        throw error;
                    }
                }
                if (existingDocResult.docs.length > 0) {
                    const existingDoc = existingDocResult.docs[0];
                    if (!existingDoc) {
                        throw new Error(`Document not found`);
                    }
                    // Debug: log what we found
                    if (req.payload.config.debug) {
                        req.payload.logger.info({
                            existingId: existingDoc.id,
                            existingStatus: existingDoc._status,
                            existingTitle: existingDoc.title,
                            incomingDocument: document,
                            mode: importMode,
                            msg: 'Found existing document for update'
                        });
                    }
                    const updateData = {
                        ...document
                    };
                    // Remove ID and internal fields from update data
                    delete updateData.id;
                    delete updateData._id;
                    delete updateData.createdAt;
                    delete updateData.updatedAt;
                    // Check if we have multi-locale data and extract it
                    const { flatData, hasMultiLocale, localeUpdates } = extractMultiLocaleData(updateData, configuredLocales, defaultLocale);
                    if (req.payload.config.debug) {
                        req.payload.logger.info({
                            existingId: existingDoc.id,
                            hasMultiLocale,
                            mode: importMode,
                            msg: 'Updating document in upsert/update mode',
                            updateData: Object.keys(hasMultiLocale ? flatData : updateData).reduce((acc, key)=>{
                                const val = (hasMultiLocale ? flatData : updateData)[key];
                                acc[key] = typeof val === 'string' && val.length > 50 ? val.substring(0, 50) + '...' : val;
                                return acc;
                            }, {})
                        });
                    }
                    if (hasMultiLocale) {
                        // Update with default locale data
                        const defaultLocaleReq = defaultLocale ? {
                            ...req,
                            locale: defaultLocale
                        } : req;
                        savedDocument = await req.payload.update({
                            id: existingDoc.id,
                            collection: collectionSlug,
                            data: flatData,
                            depth: 0,
                            // Don't specify draft - this creates a new draft for versioned collections
                            overrideAccess: false,
                            req: defaultLocaleReq,
                            user
                        });
                        if (savedDocument && Object.keys(localeUpdates).length > 0) {
                            for (const [locale, localeData] of Object.entries(localeUpdates)){
                                try {
                                    await req.payload.update({
                                        id: existingDoc.id,
                                        collection: collectionSlug,
                                        data: localeData,
                                        depth: 0,
                                        overrideAccess: false,
                                        req: {
                                            ...req,
                                            locale
                                        },
                                        user
                                    });
                                } catch (error) {
                                    req.payload.logger.error({
                                        err: error,
                                        msg: `Failed to update locale ${locale} for document ${String(existingDoc.id)}`
                                    });
                                }
                            }
                        }
                    } else {
                        // No multi-locale data, update normally
                        try {
                            // Extra debug: log before update
                            if (req.payload.config.debug) {
                                req.payload.logger.info({
                                    existingId: existingDoc.id,
                                    existingTitle: existingDoc.title,
                                    msg: 'About to update document',
                                    newData: updateData
                                });
                            }
                            // Update the document - don't specify draft to let Payload handle versions properly
                            // This will create a new draft version for collections with versions enabled
                            savedDocument = await req.payload.update({
                                id: existingDoc.id,
                                collection: collectionSlug,
                                data: updateData,
                                depth: 0,
                                // Don't specify draft - this creates a new draft for versioned collections
                                overrideAccess: false,
                                req,
                                user
                            });
                            if (req.payload.config.debug && savedDocument) {
                                req.payload.logger.info({
                                    id: savedDocument.id,
                                    msg: 'Update completed',
                                    status: savedDocument._status,
                                    title: savedDocument.title
                                });
                            }
                        } catch (updateError) {
                            req.payload.logger.error({
                                id: existingDoc.id,
                                err: updateError,
                                msg: 'Update failed'
                            });
                            throw updateError;
                        }
                    }
                } else if (importMode === 'upsert') {
                    // Create new in upsert mode
                    if (req.payload.config.debug) {
                        req.payload.logger.info({
                            document,
                            matchField: matchField || 'id',
                            matchValue: document[matchField || 'id'],
                            msg: 'No existing document found, creating new in upsert mode'
                        });
                    }
                    const createData = {
                        ...document
                    };
                    if (!hasCustomIdField) {
                        delete createData.id;
                    }
                    // Only handle _status for versioned collections
                    let draftOption;
                    if (collectionHasVersions) {
                        // Use defaultVersionStatus from config if _status not provided
                        const statusValue = createData._status || options.defaultVersionStatus;
                        const isPublished = statusValue !== 'draft';
                        draftOption = !isPublished;
                        createData._status = statusValue;
                    }
                    // Check if we have multi-locale data and extract it
                    const { flatData, hasMultiLocale, localeUpdates } = extractMultiLocaleData(createData, configuredLocales, defaultLocale);
                    if (hasMultiLocale) {
                        // Create with default locale data
                        const defaultLocaleReq = defaultLocale ? {
                            ...req,
                            locale: defaultLocale
                        } : req;
                        savedDocument = await req.payload.create({
                            collection: collectionSlug,
                            data: flatData,
                            draft: draftOption,
                            overrideAccess: false,
                            req: defaultLocaleReq,
                            user
                        });
                        if (savedDocument && Object.keys(localeUpdates).length > 0) {
                            for (const [locale, localeData] of Object.entries(localeUpdates)){
                                try {
                                    await req.payload.update({
                                        id: savedDocument.id,
                                        collection: collectionSlug,
                                        data: localeData,
                                        draft: collectionHasVersions ? false : undefined,
                                        overrideAccess: false,
                                        req: {
                                            ...req,
                                            locale
                                        },
                                        user
                                    });
                                } catch (error) {
                                    req.payload.logger.error({
                                        err: error,
                                        msg: `Failed to update locale ${locale} for document ${String(savedDocument.id)}`
                                    });
                                }
                            }
                        }
                    } else {
                        // No multi-locale data, create normally
                        savedDocument = await req.payload.create({
                            collection: collectionSlug,
                            data: createData,
                            draft: draftOption,
                            overrideAccess: false,
                            req,
                            user
                        });
                    }
                } else {
                    // Update mode but document not found
                    let matchValueDisplay;
                    if (typeof matchValue === 'object' && matchValue !== null) {
                        matchValueDisplay = JSON.stringify(matchValue);
                    } else if (typeof matchValue === 'string') {
                        matchValueDisplay = matchValue;
                    } else if (typeof matchValue === 'number') {
                        matchValueDisplay = matchValue.toString();
                    } else {
                        // For other types, use JSON.stringify to avoid [object Object]
                        matchValueDisplay = JSON.stringify(matchValue);
                    }
                    throw new Error(`Document with ${matchField || 'id'}="${matchValueDisplay}" not found`);
                }
            } else {
                throw new Error(`Unknown import mode: ${String(importMode)}`);
            }
            if (savedDocument) {
                // Determine operation type for proper counting
                let operation;
                if (importMode === 'create') {
                    operation = 'created';
                } else if (importMode === 'update') {
                    operation = 'updated';
                } else if (importMode === 'upsert') {
                    if (existingDocResult && existingDocResult.docs.length > 0) {
                        operation = 'updated';
                    } else {
                        operation = 'created';
                    }
                }
                result.successful.push({
                    document,
                    index: rowNumber - 1,
                    operation,
                    result: savedDocument
                });
            }
        } catch (error) {
            const importError = {
                type: categorizeError(error),
                documentData: document || {},
                error: extractErrorMessage(error),
                item: document || {},
                itemIndex: rowNumber - 1,
                rowNumber
            };
            // Try to extract field information from validation errors
            if (error && typeof error === 'object' && 'data' in error) {
                const errorData = error;
                if (errorData.data?.errors && Array.isArray(errorData.data.errors)) {
                    const firstError = errorData.data.errors[0];
                    if (firstError?.path) {
                        importError.field = firstError.path;
                    }
                }
            }
            result.failed.push(importError);
        // Always continue processing all rows
        }
    }
    return result;
}
export function createImportBatchProcessor(options = {}) {
    const processorOptions = {
        batchSize: options.batchSize ?? 100,
        defaultVersionStatus: options.defaultVersionStatus ?? 'published'
    };
    const processImport = async (processOptions)=>{
        const { collectionSlug, docs: documents, format = 'csv', hooks, importMode, matchField, originalDocs: originalDocs, req, totalBatches: totalBatchesFromOptions, user } = processOptions;
        const batches = createBatches(documents, processorOptions.batchSize);
        const totalBatches = totalBatchesFromOptions ?? batches.length;
        const result = {
            errors: [],
            imported: 0,
            total: documents.length,
            updated: 0
        };
        for(let i = 0; i < batches.length; i++){
            const currentBatch = batches[i];
            if (!currentBatch) {
                continue;
            }
            const batchNumber = i + 1;
            const batchStart = i * processorOptions.batchSize;
            const originalBatch = originalDocs ? originalDocs.slice(batchStart, batchStart + currentBatch.length) : currentBatch;
            const batchToProcess = hooks?.before && currentBatch.length > 0 ? await hooks.before({
                batchNumber,
                data: currentBatch,
                format,
                originalData: originalBatch,
                req,
                totalBatches
            }) : currentBatch;
            const batchResult = await processImportBatch({
                batch: batchToProcess,
                batchIndex: i,
                collectionSlug,
                importMode,
                matchField,
                options: processorOptions,
                req,
                user
            });
            let batchImported = 0;
            let batchUpdated = 0;
            for (const success of batchResult.successful){
                if (success.operation === 'created') {
                    result.imported++;
                    batchImported++;
                } else if (success.operation === 'updated') {
                    result.updated++;
                    batchUpdated++;
                } else {
                    // Fallback
                    if (importMode === 'create') {
                        result.imported++;
                        batchImported++;
                    } else {
                        result.updated++;
                        batchUpdated++;
                    }
                }
            }
            for (const error of batchResult.failed){
                result.errors.push({
                    doc: error.documentData,
                    error: error.error,
                    index: error.rowNumber - 1
                });
            }
            if (hooks?.after) {
                const batchHookResult = {
                    errors: batchResult.failed.length > 0 ? result.errors.slice(-batchResult.failed.length) : [],
                    imported: batchImported,
                    total: batchToProcess.length,
                    updated: batchUpdated
                };
                await hooks.after({
                    batchNumber,
                    format,
                    originalData: originalBatch,
                    req,
                    result: batchHookResult,
                    totalBatches
                });
            }
        }
        return result;
    };
    return {
        processImport
    };
}

