"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.formatJob = void 0;
exports.queuesHandler = queuesHandler;
function pickSetDiagnostics(job) {
    const { priority, attemptsStarted, stalledCounter, deduplicationId, deferredFailure } = job;
    const startsDiverged = !!attemptsStarted && attemptsStarted > job.attemptsMade;
    return {
        ...(priority ? { priority } : {}),
        ...(startsDiverged ? { attemptsStarted } : {}),
        ...(stalledCounter ? { stalledCounter } : {}),
        ...(deduplicationId ? { deduplicationId } : {}),
        ...(deferredFailure ? { deferredFailure } : {}),
    };
}
const formatJob = (job, queue) => {
    var _a, _b;
    const jobProps = job.toJSON();
    const stacktrace = jobProps.stacktrace ? jobProps.stacktrace.filter(Boolean) : [];
    stacktrace.reverse();
    return {
        id: jobProps.id,
        timestamp: jobProps.timestamp,
        processedOn: jobProps.processedOn,
        processedBy: jobProps.processedBy,
        finishedOn: jobProps.finishedOn,
        progress: queue.format('progress', jobProps.progress),
        attempts: jobProps.attemptsMade,
        delay: jobProps.delay,
        failedReason: jobProps.failedReason,
        stacktrace,
        opts: jobProps.opts,
        data: queue.format('data', jobProps.data),
        name: queue.format('name', jobProps, jobProps.name || ''),
        returnValue: queue.format('returnValue', jobProps.returnvalue),
        isFailed: !!jobProps.failedReason || (Array.isArray(stacktrace) && stacktrace.length > 0),
        externalUrl: typeof queue.externalJobUrl === 'function' ? queue.externalJobUrl(jobProps) : undefined,
        groupId: (_b = (_a = jobProps.opts) === null || _a === void 0 ? void 0 : _a.group) === null || _b === void 0 ? void 0 : _b.id,
        ...pickSetDiagnostics(jobProps),
    };
};
exports.formatJob = formatJob;
function getPagination(statuses, counts, currentPage, jobsPerPage) {
    var _a;
    const isLatestStatus = statuses.length > 1;
    const total = isLatestStatus
        ? statuses.reduce((total, status) => { var _a; return total + Math.min((_a = counts[status]) !== null && _a !== void 0 ? _a : 0, jobsPerPage); }, 0)
        : ((_a = counts[statuses[0]]) !== null && _a !== void 0 ? _a : 0);
    const start = isLatestStatus ? 0 : (currentPage - 1) * jobsPerPage;
    const pageCount = isLatestStatus ? 1 : Math.ceil(total / jobsPerPage);
    return {
        pageCount,
        range: { start, end: start + jobsPerPage - 1 },
    };
}
/**
 * Whether anything is consuming the queue, for the warning the board shows when nothing is.
 * A queue whose Redis is unreachable reports "unknown" rather than taking the whole board down
 * with it, so one bad connection does not cost every other queue its listing.
 */
async function getHasWorkers(queue, showWorkers) {
    if (!showWorkers) {
        return null;
    }
    const workers = await queue.getWorkers().catch(() => null);
    return workers && workers.length > 0;
}
async function getAppQueues(pairs, query, showWorkers) {
    return Promise.all(pairs.map(async ([queueName, queue]) => {
        var _a;
        const isActiveQueue = decodeURIComponent((_a = query.activeQueue) !== null && _a !== void 0 ? _a : '') === queueName;
        const jobsPerPage = query.jobsPerPage;
        const jobStatuses = queue.getJobStatuses();
        const status = !isActiveQueue || query.status === 'latest' || !query.status
            ? jobStatuses
            : [query.status];
        const currentPage = query.page;
        const [counts, isPaused, globalConcurrency, activeRateLimitTtl, jobSchedulerCount, hasWorkers,] = await Promise.all([
            queue.getJobCounts(),
            queue.isPaused(),
            queue.getGlobalConcurrency(),
            queue.getActiveRateLimitTtl().catch(() => 0),
            queue.getJobSchedulersCount(),
            getHasWorkers(queue, showWorkers),
        ]);
        const pagination = getPagination(status, counts, currentPage, jobsPerPage);
        const jobs = isActiveQueue
            ? await queue.getJobs(status, pagination.range.start, pagination.range.end)
            : [];
        return {
            name: queueName,
            displayName: queue.getDisplayName() || undefined,
            description: queue.getDescription() || undefined,
            statuses: queue.getStatuses(),
            counts,
            jobs: jobs.filter(Boolean).map((job) => (0, exports.formatJob)(job, queue)),
            pagination,
            readOnlyMode: queue.readOnlyMode,
            allowRetries: queue.allowRetries,
            allowCompletedRetries: queue.allowCompletedRetries,
            isPaused,
            type: queue.type,
            delimiter: queue.delimiter,
            globalConcurrency,
            activeRateLimitTtl,
            supportsGlobalRateLimit: queue.supportsGlobalRateLimit,
            jobSchedulerCount,
            hasWorkers,
        };
    }));
}
async function queuesHandler(req) {
    var _a;
    const pairs = [];
    for (const [queueName, queue] of req.queues.entries()) {
        if (await queue.isVisible(req)) {
            pairs.push([queueName, queue]);
        }
    }
    const queues = pairs.length > 0
        ? await getAppQueues(pairs, req.query, ((_a = req.uiConfig) === null || _a === void 0 ? void 0 : _a.showWorkers) !== false)
        : [];
    return {
        body: {
            queues,
        },
    };
}
