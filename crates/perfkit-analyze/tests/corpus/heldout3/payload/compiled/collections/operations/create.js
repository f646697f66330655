import crypto from 'crypto';
import { ensureUsernameOrEmail } from '../../auth/ensureUsernameOrEmail.js';
import { executeAccess } from '../../auth/executeAccess.js';
import { sendVerificationEmail } from '../../auth/sendVerificationEmail.js';
import { registerLocalStrategy } from '../../auth/strategies/local/register.js';
import { getDuplicateDocumentData } from '../../duplicateDocument/index.js';
import { APIError } from '../../errors/index.js';
import { afterChange } from '../../fields/hooks/afterChange/index.js';
import { afterRead } from '../../fields/hooks/afterRead/index.js';
import { beforeChange } from '../../fields/hooks/beforeChange/index.js';
import { beforeValidate } from '../../fields/hooks/beforeValidate/index.js';
import { saveVersion } from '../../index.js';
import { generateFileData } from '../../uploads/generateFileData.js';
import { getExternalUploadSource, getUploadDestination, sanitizeUploadData } from '../../uploads/sanitizeUploadData.js';
import { unlinkTempFiles } from '../../uploads/unlinkTempFiles.js';
import { uploadFiles } from '../../uploads/uploadFiles.js';
import { commitTransaction } from '../../utilities/commitTransaction.js';
import { hasDraftsEnabled, hasDraftValidationEnabled, hasLocalizeStatusEnabled } from '../../utilities/getVersionsConfig.js';
import { initTransaction } from '../../utilities/initTransaction.js';
import { killTransaction } from '../../utilities/killTransaction.js';
import { sanitizeInternalFields } from '../../utilities/sanitizeInternalFields.js';
import { sanitizeSelect } from '../../utilities/sanitizeSelect.js';
import { buildAllLocalesPublicationHookDoc, getAllLocalesPublicationStatus, hasAuthorizedAllLocalesPublicationStatus, normalizeAllLocalesPublicationStatus, reconcileAllLocalesPublicationStatus } from '../../versions/allLocalesPublicationStatus.js';
import { buildAfterOperation } from './utilities/buildAfterOperation.js';
import { buildBeforeOperation } from './utilities/buildBeforeOperation.js';
export const createOperation = async (incomingArgs)=>{
    let args = incomingArgs;
    let externalUploadSource;
    try {
        const shouldCommit = !args.disableTransaction && await initTransaction(args.req);
        // Keep a remote URL only as an ephemeral file source, then strip all submitted generated
        // identity before untrusted create hooks run. The fetched file receives new server-owned
        // identity before persistence.
        if (args.collection.config.upload && !args.overrideAccess) {
            externalUploadSource = getExternalUploadSource(args.data);
            const { objectKey, prefix } = getUploadDestination({
                data: args.data,
                file: args.req.file
            });
            const sanitizedData = sanitizeUploadData(args.data, 'create');
            args = {
                ...args,
                data: typeof sanitizedData === 'object' && sanitizedData !== null ? {
                    ...sanitizedData,
                    ...prefix !== undefined ? {
                        prefix
                    } : {},
                    ...objectKey !== undefined ? {
                        _objectKey: objectKey
                    } : {}
                } : sanitizedData
            };
        }
        const initialCollectionConfig = args.collection.config;
        const initialPublishAllLocales = !args.draft && (args.publishAllLocales ?? !hasLocalizeStatusEnabled(initialCollectionConfig));
        const initialAllLocalesPublicationStatus = getAllLocalesPublicationStatus({
            hasLocalizedStatus: Boolean(args.req.payload.config.localization && hasLocalizeStatusEnabled(initialCollectionConfig)),
            publishAllLocales: initialPublishAllLocales,
            unpublishAllLocales: false
        });
        const initialAllLocalesPublicationIntent = normalizeAllLocalesPublicationStatus({
            data: args.data,
            status: initialAllLocalesPublicationStatus
        });
        ensureUsernameOrEmail({
            authOptions: args.collection.config.auth,
            collectionSlug: args.collection.config.slug,
            data: args.data,
            operation: 'create',
            req: args.req
        });
        // /////////////////////////////////////
        // beforeOperation - Collection
        // /////////////////////////////////////
        args = await buildBeforeOperation({
            args,
            collection: args.collection.config,
            operation: 'create',
            overrideAccess: args.overrideAccess
        });
        if (args.publishSpecificLocale) {
            args.req.locale = args.publishSpecificLocale;
        }
        const { autosave = false, collection: { config: collectionConfig }, collection, depth, disableVerificationEmail, draft = false, duplicateFromID, overrideAccess, overwriteExistingFiles = false, populate, publishAllLocales: publishAllLocalesArg, publishSpecificLocale, req: { fallbackLocale, locale, payload, payload: { config } }, req, select: incomingSelect, selectedLocales, showHiddenFields } = args;
        let { data } = args;
        // For creates there is no existing doc — always publish all locales when not a draft.
        let publishAllLocales = !draft && (publishAllLocalesArg ?? !hasLocalizeStatusEnabled(collectionConfig));
        const requestedAllLocalesPublicationStatus = getAllLocalesPublicationStatus({
            hasLocalizedStatus: Boolean(config.localization && hasLocalizeStatusEnabled(collectionConfig)),
            publishAllLocales,
            unpublishAllLocales: false
        });
        const allLocalesPublicationStatus = reconcileAllLocalesPublicationStatus({
            data,
            intent: initialAllLocalesPublicationIntent,
            status: requestedAllLocalesPublicationStatus
        });
        if (requestedAllLocalesPublicationStatus && !allLocalesPublicationStatus) {
            publishAllLocales = false;
        }
        const isSavingDraft = Boolean(draft && hasDraftsEnabled(collectionConfig) && !publishAllLocales);
        if (isSavingDraft) {
            data._status = 'draft';
        }
        const isDuplicating = duplicateFromID !== undefined && duplicateFromID !== null;
        if (isDuplicating && collectionConfig.disableDuplicate === true) {
            throw new APIError(`The collection with slug ${String(collectionConfig.slug)} cannot be duplicated.`, 400);
        }
        let duplicatedFromDocWithLocales = {};
        let duplicatedFromDoc = {};
        if (isDuplicating) {
            const duplicateResult = await getDuplicateDocumentData({
                id: duplicateFromID,
                collectionConfig,
                draftArg: isSavingDraft,
                overrideAccess,
                req,
                selectedLocales
            });
            duplicatedFromDoc = duplicateResult.duplicatedFromDoc;
            duplicatedFromDocWithLocales = duplicateResult.duplicatedFromDocWithLocales;
        }
        // /////////////////////////////////////
        // Access
        // /////////////////////////////////////
        if (!overrideAccess) {
            await executeAccess({
                data,
                req
            }, collectionConfig.access.create);
        }
        // /////////////////////////////////////
        // Generate data for all files and sizes
        // /////////////////////////////////////
        const { data: newFileData, files: filesToUpload } = await generateFileData({
            collection,
            config,
            data,
            draft: isSavingDraft,
            externalUploadSource,
            isDuplicating,
            operation: 'create',
            originalDoc: duplicatedFromDoc,
            overwriteExistingFiles,
            req,
            throwOnMissingFile: !isSavingDraft && collection.config.upload.filesRequiredOnCreate !== false
        });
        data = newFileData;
        // /////////////////////////////////////
        // beforeValidate - Fields
        // /////////////////////////////////////
        let statusFieldAccess = false;
        const publicationFieldPolicyDoc = buildAllLocalesPublicationHookDoc({
            doc: duplicatedFromDoc,
            docWithLocales: duplicatedFromDocWithLocales,
            status: allLocalesPublicationStatus
        });
        data = await beforeValidate({
            collection: collectionConfig,
            context: req.context,
            data,
            doc: duplicatedFromDoc,
            docForHooks: publicationFieldPolicyDoc,
            global: null,
            onFieldAccess: ({ accessResult, path })=>{
                if (path === '_status') {
                    statusFieldAccess = accessResult;
                }
            },
            operation: 'create',
            overrideAccess: overrideAccess,
            req
        });
        const publicationStatusIsAuthorized = statusFieldAccess && data._status === allLocalesPublicationStatus;
        const publicationHookDoc = buildAllLocalesPublicationHookDoc({
            doc: duplicatedFromDoc,
            docWithLocales: duplicatedFromDocWithLocales,
            status: publicationStatusIsAuthorized ? allLocalesPublicationStatus : undefined
        });
        // /////////////////////////////////////
        // beforeValidate - Collections
        // /////////////////////////////////////
        if (collectionConfig.hooks.beforeValidate?.length) {
            for (const hook of collectionConfig.hooks.beforeValidate){
                data = await hook({
                    collection: collectionConfig,
                    context: req.context,
                    data,
                    operation: 'create',
                    originalDoc: publicationHookDoc,
                    req
                }) || data;
            }
        }
        // /////////////////////////////////////
        // beforeChange - Collection
        // /////////////////////////////////////
        if (collectionConfig.hooks?.beforeChange?.length) {
            for (const hook of collectionConfig.hooks.beforeChange){
                data = await hook({
                    collection: collectionConfig,
                    context: req.context,
                    data,
                    operation: 'create',
                    originalDoc: publicationHookDoc,
                    req
                }) || data;
            }
        }
        const publicationData = {
            ...data
        };
        // /////////////////////////////////////
        // beforeChange - Fields
        // /////////////////////////////////////
        let statusFieldValue;
        const docWithLocalesForFields = !statusFieldAccess ? {
            ...duplicatedFromDocWithLocales,
            _status: {}
        } : duplicatedFromDocWithLocales;
        const resultWithLocales = await beforeChange({
            collection: collectionConfig,
            context: req.context,
            data,
            doc: publicationHookDoc,
            docWithLocales: docWithLocalesForFields,
            global: null,
            onDataProcessed: (processedData)=>{
                statusFieldValue = processedData._status;
            },
            operation: 'create',
            overrideAccess,
            req,
            skipValidation: isSavingDraft && !hasDraftValidationEnabled(collectionConfig)
        });
        const hasAuthorizedPublicationStatus = hasAuthorizedAllLocalesPublicationStatus({
            data: publicationData,
            fieldAccessDenied: !statusFieldAccess,
            fieldValue: statusFieldValue,
            status: allLocalesPublicationStatus
        });
        if (allLocalesPublicationStatus && !hasAuthorizedPublicationStatus && statusFieldAccess && typeof statusFieldValue === 'undefined' && typeof duplicatedFromDocWithLocales._status === 'object' && duplicatedFromDocWithLocales._status !== null) {
            resultWithLocales._status = {
                ...duplicatedFromDocWithLocales._status
            };
        }
        if (config.localization && hasLocalizeStatusEnabled(collectionConfig) && hasAuthorizedPublicationStatus) {
            let accessibleLocaleCodes = config.localization.localeCodes;
            if (config.localization.filterAvailableLocales) {
                const filteredLocales = await config.localization.filterAvailableLocales({
                    locales: config.localization.locales,
                    req
                });
                accessibleLocaleCodes = filteredLocales.map((locale)=>typeof locale === 'string' ? locale : locale.code);
            }
            if (typeof resultWithLocales._status !== 'object' || resultWithLocales._status === null) {
                resultWithLocales._status = {};
            }
            for (const localeCode of accessibleLocaleCodes){
                resultWithLocales._status[localeCode] = 'published';
            }
        }
        // /////////////////////////////////////
        // Write files to local storage
        // /////////////////////////////////////
        if (!collectionConfig.upload.disableLocalStorage) {
            await uploadFiles(payload, filesToUpload, req);
        }
        // /////////////////////////////////////
        // Create
        // /////////////////////////////////////
        let doc;
        const select = sanitizeSelect({
            fields: collectionConfig.flattenedFields,
            forceSelect: collectionConfig.forceSelect,
            select: incomingSelect
        });
        if (collectionConfig.auth && !collectionConfig.auth.disableLocalStrategy) {
            if (collectionConfig.auth.verify) {
                resultWithLocales._verified = Boolean(resultWithLocales._verified) || false;
                resultWithLocales._verificationToken = crypto.randomBytes(20).toString('hex');
            }
            doc = await registerLocalStrategy({
                collection: collectionConfig,
                doc: resultWithLocales,
                password: data.password,
                payload: req.payload,
                req
            });
        } else {
            doc = await payload.db.create({
                collection: collectionConfig.slug,
                data: resultWithLocales,
                req
            });
        }
        const verificationToken = doc._verificationToken;
        let result = sanitizeInternalFields(doc);
        // /////////////////////////////////////
        // Add collection property for auth collections
        // /////////////////////////////////////
        if (collectionConfig.auth) {
            result = {
                ...result,
                collection: collectionConfig.slug
            };
        }
        // /////////////////////////////////////
        // Create version
        // /////////////////////////////////////
        if (collectionConfig.versions) {
            await saveVersion({
                id: result.id,
                autosave,
                collection: collectionConfig,
                docWithLocales: result,
                operation: 'create',
                payload,
                publishSpecificLocale,
                req,
                returning: false
            });
        }
        // /////////////////////////////////////
        // Send verification email if applicable
        // /////////////////////////////////////
        if (collectionConfig.auth && collectionConfig.auth.verify && result.email) {
            await sendVerificationEmail({
                collection: {
                    config: collectionConfig
                },
                config: payload.config,
                disableEmail: disableVerificationEmail,
                email: payload.email,
                req,
                token: verificationToken,
                user: result
            });
        }
        // /////////////////////////////////////
        // afterRead - Fields
        // /////////////////////////////////////
        result = await afterRead({
            collection: collectionConfig,
            context: req.context,
            depth: depth,
            doc: result,
            draft,
            fallbackLocale: fallbackLocale,
            global: null,
            locale: locale,
            overrideAccess: overrideAccess,
            populate,
            req,
            select,
            showHiddenFields: showHiddenFields
        });
        // /////////////////////////////////////
        // afterRead - Collection
        // /////////////////////////////////////
        if (collectionConfig.hooks?.afterRead?.length) {
            for (const hook of collectionConfig.hooks.afterRead){
                result = await hook({
                    collection: collectionConfig,
                    context: req.context,
                    doc: result,
                    overrideAccess,
                    req
                }) || result;
            }
        }
        // /////////////////////////////////////
        // afterChange - Fields
        // /////////////////////////////////////
        result = await afterChange({
            collection: collectionConfig,
            context: req.context,
            data,
            doc: result,
            global: null,
            operation: 'create',
            previousDoc: {},
            req
        });
        // /////////////////////////////////////
        // afterChange - Collection
        // /////////////////////////////////////
        if (collectionConfig.hooks?.afterChange?.length) {
            for (const hook of collectionConfig.hooks.afterChange){
                result = await hook({
                    collection: collectionConfig,
                    context: req.context,
                    data,
                    doc: result,
                    operation: 'create',
                    overrideAccess,
                    previousDoc: {},
                    req: args.req
                }) || result;
            }
        }
        // /////////////////////////////////////
        // afterOperation - Collection
        // /////////////////////////////////////
        result = await buildAfterOperation({
            args,
            collection: collectionConfig,
            operation: 'create',
            overrideAccess: args.overrideAccess,
            result
        });
        await unlinkTempFiles({
            collectionConfig,
            config,
            req
        });
        // /////////////////////////////////////
        // Return results
        // /////////////////////////////////////
        if (shouldCommit) {
            await commitTransaction(req);
        }
        return result;
    } catch (error) {
        await unlinkTempFiles({
            collectionConfig: args.collection.config,
            config: args.req.payload.config,
            req: args.req
        }).catch((unlinkError)=>{
            args.req.payload.logger.error({
                err: unlinkError,
                msg: 'Failed to remove temp file'
            });
        });
        await killTransaction(args.req);
        throw error;
    }
};

