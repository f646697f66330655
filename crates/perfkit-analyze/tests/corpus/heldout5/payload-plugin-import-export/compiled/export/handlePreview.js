import { addDataAndFileToRequest } from 'payload';
import { getObjectDotNotation } from 'payload/shared';
import { DEFAULT_PREVIEW_LIMIT, MAX_PREVIEW_LIMIT, MIN_PREVIEW_LIMIT, MIN_PREVIEW_PAGE } from '../constants.js';
import { applyFieldHooks } from '../utilities/applyFieldHooks.js';
import { flattenObject } from '../utilities/flattenObject.js';
import { getExportFieldFunctions } from '../utilities/getExportFieldFunctions.js';
import { getFlattenedFieldKeys } from '../utilities/getFlattenedFieldKeys.js';
import { getSchemaColumns, mergeColumns } from '../utilities/getSchemaColumns.js';
import { getSelect } from '../utilities/getSelect.js';
import { removeDisabledFields } from '../utilities/removeDisabledFields.js';
import { resolveLimit } from '../utilities/resolveLimit.js';
import { setNestedValue } from '../utilities/setNestedValue.js';
const applyExportBeforeHook = async (hook, data, originalDocs, format, req)=>{
    if (!hook || data.length === 0) {
        return data;
    }
    return hook({
        batchNumber: 1,
        data,
        format,
        originalData: originalDocs,
        req,
        totalBatches: 1
    });
};
export const handlePreview = async (req)=>{
    await addDataAndFileToRequest(req);
    const { collectionSlug, draft: draftFromReq, fields, limit: exportLimit, locale, previewLimit: rawPreviewLimit = DEFAULT_PREVIEW_LIMIT, previewPage: rawPreviewPage = 1, sort, where: whereFromReq = {} } = req.data;
    // Validate and clamp pagination values to safe bounds
    const previewLimit = Math.max(MIN_PREVIEW_LIMIT, Math.min(rawPreviewLimit, MAX_PREVIEW_LIMIT));
    const previewPage = Math.max(MIN_PREVIEW_PAGE, rawPreviewPage);
    const targetCollection = req.payload.collections[collectionSlug];
    if (!targetCollection) {
        return Response.json({
            error: `Collection with slug ${collectionSlug} not found`
        }, {
            status: 400
        });
    }
    const pluginConfig = targetCollection.config.custom?.['plugin-import-export'];
    const maxLimit = await resolveLimit({
        limit: pluginConfig?.exportLimit,
        req
    });
    const select = Array.isArray(fields) && fields.length > 0 ? getSelect(fields) : undefined;
    const draft = draftFromReq === 'yes';
    const collectionHasVersions = Boolean(targetCollection.config.versions);
    // Only filter by _status for versioned collections
    const publishedWhere = collectionHasVersions ? {
        _status: {
            equals: 'published'
        }
    } : {};
    const where = {
        and: [
            whereFromReq,
            draft ? {} : publishedWhere
        ]
    };
    // Count total docs matching export criteria
    const countResult = await req.payload.count({
        collection: collectionSlug,
        overrideAccess: false,
        req,
        where
    });
    const totalMatchingDocs = countResult.totalDocs;
    // Calculate actual export count (respecting both export limit and max limit)
    let effectiveLimit = totalMatchingDocs;
    // Apply user's export limit if provided
    if (exportLimit && exportLimit > 0) {
        effectiveLimit = Math.min(effectiveLimit, exportLimit);
    }
    // Apply max limit if configured
    if (typeof maxLimit === 'number' && maxLimit > 0) {
        effectiveLimit = Math.min(effectiveLimit, maxLimit);
    }
    const exportTotalDocs = effectiveLimit;
    // Calculate preview pagination that respects export limit
    // Preview should only show docs that will actually be exported
    const previewStartIndex = (previewPage - 1) * previewLimit;
    // Calculate pagination info based on export limit (not raw DB results)
    const previewTotalPages = exportTotalDocs === 0 ? 0 : Math.ceil(exportTotalDocs / previewLimit);
    const isCSV = req?.data?.format === 'csv';
    // Get locale codes for locale expansion when locale='all'
    const localeCodes = locale === 'all' && req.payload.config.localization ? req.payload.config.localization.localeCodes : undefined;
    // Get disabled fields configuration
    const disabledFields = targetCollection.config.admin?.custom?.['plugin-import-export']?.disabledFields ?? [];
    // Compute schema-based columns for CSV (provides base ordering and handles empty exports)
    const schemaColumns = isCSV ? getSchemaColumns({
        collectionConfig: targetCollection.config,
        disabledFields,
        fields,
        locale: locale ?? undefined,
        localeCodes
    }) : undefined;
    // columns will be finalized after data is available (merged with data-discovered columns)
    let columns = schemaColumns;
    // If we're beyond the effective limit (considering both user limit and maxLimit), return empty docs
    if (exportTotalDocs > 0 && previewStartIndex >= exportTotalDocs) {
        const response = {
            columns,
            docs: [],
            exportTotalDocs,
            hasNextPage: false,
            hasPrevPage: previewPage > 1,
            limit: previewLimit,
            maxLimit,
            page: previewPage,
            totalDocs: exportTotalDocs,
            totalPages: previewTotalPages
        };
        return Response.json(response);
    }
    // Fetch preview page with full previewLimit to maintain consistent pagination offsets
    // We'll trim the results afterwards if needed to respect export limit
    const result = await req.payload.find({
        collection: collectionSlug,
        depth: 1,
        draft,
        limit: previewLimit,
        locale,
        overrideAccess: false,
        page: previewPage,
        req,
        select,
        sort,
        where
    });
    // Trim docs to respect effective limit boundary (user limit clamped by maxLimit)
    let docs = result.docs;
    if (exportTotalDocs > 0) {
        const remainingInExport = exportTotalDocs - previewStartIndex;
        if (remainingInExport < docs.length) {
            docs = docs.slice(0, remainingInExport);
        }
    }
    // Transform docs based on format
    let transformed;
    const exportFieldHooks = getExportFieldFunctions({
        fields: targetCollection.config.flattenedFields
    });
    const exportHooks = targetCollection.config.custom?.['plugin-import-export']?.exportHooks;
    if (isCSV) {
        const possibleKeys = getFlattenedFieldKeys(targetCollection.config.flattenedFields, '', {
            localeCodes
        });
        // Flatten docs without padding yet. This preserves the exact keys produced by toCSV hooks,
        // allowing mergeColumns to detect which schema columns were replaced with derived ones.
        transformed = docs.map((doc)=>flattenObject({
                data: doc,
                exportFieldHooks,
                fields,
                format: 'csv',
                req
            }));
        transformed = await applyExportBeforeHook(exportHooks?.before, transformed, docs, 'csv', req);
        if (schemaColumns && transformed.length > 0) {
            const dataColumns = [];
            const seenCols = new Set();
            for (const row of transformed){
                for (const key of Object.keys(row)){
                    if (!seenCols.has(key)) {
                        seenCols.add(key);
                        dataColumns.push(key);
                    }
                }
            }
            const mergedColumns = mergeColumns(schemaColumns, dataColumns);
            columns = Boolean(exportHooks?.before) && transformed.length > 0 ? mergedColumns.filter((col)=>dataColumns.includes(col)) : mergedColumns;
        }
        // Pad rows with null for missing columns (uses merged columns, not raw schema)
        if (!fields || fields.length === 0) {
            const paddingKeys = columns ?? possibleKeys;
            for (const row of transformed){
                for (const key of paddingKeys){
                    if (!(key in row)) {
                        row[key] = null;
                    }
                }
            }
        }
    } else {
        transformed = docs.map((doc)=>{
            // Apply field-level export hooks for JSON format
            let output = applyFieldHooks({
                type: 'beforeExport',
                data: doc,
                fieldHooks: exportFieldHooks,
                fields: targetCollection.config.flattenedFields,
                format: 'json',
                operation: 'export',
                req
            });
            // Remove disabled fields
            output = removeDisabledFields(output, disabledFields);
            // Then trim to selected fields only (if fields are provided)
            if (Array.isArray(fields) && fields.length > 0) {
                const trimmed = {};
                for (const key of fields){
                    const value = getObjectDotNotation(output, key);
                    setNestedValue(trimmed, key, value ?? null, output);
                }
                output = trimmed;
            }
            return output;
        });
        transformed = await applyExportBeforeHook(exportHooks?.before, transformed, docs, 'json', req);
    }
    const hasNextPage = previewPage < previewTotalPages;
    const hasPrevPage = previewPage > 1;
    const response = {
        columns,
        docs: transformed,
        exportTotalDocs,
        hasNextPage,
        hasPrevPage,
        limit: previewLimit,
        maxLimit,
        page: previewPage,
        totalDocs: exportTotalDocs,
        totalPages: previewTotalPages
    };
    return Response.json(response);
};

