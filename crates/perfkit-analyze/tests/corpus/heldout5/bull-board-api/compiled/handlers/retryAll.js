"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.retryAllHandler = void 0;
const errors_1 = require("../errors");
const queue_1 = require("../providers/queue");
const RETRY_PAGE_SIZE = 100;
function isRetriableState(state) {
    return state === 'failed' || state === 'completed';
}
async function retryAll(req, queue) {
    var _a;
    const { queueStatus } = req.params;
    if (!isRetriableState(queueStatus)) {
        return (0, errors_1.errorResponse)(400, {
            key: 'ERRORS.STATUS_NOT_RETRIABLE',
            options: { status: queueStatus },
        });
    }
    // Counted first so a job finishing mid-request understates the gap rather than inventing one.
    const counts = await queue.getJobCounts();
    const total = (_a = counts[queueStatus]) !== null && _a !== void 0 ? _a : 0;
    const retriedIds = new Set();
    while (retriedIds.size < total) {
        const headOfSet = await queue.getJobs([queueStatus], 0, RETRY_PAGE_SIZE - 1);
        const notYetRetried = headOfSet.filter((job) => !retriedIds.has(`${job.toJSON().id}`));
        if (notYetRetried.length === 0) {
            break;
        }
        await Promise.all(notYetRetried.map((job) => job.retry(queueStatus)));
        notYetRetried.forEach((job) => retriedIds.add(`${job.toJSON().id}`));
    }
    const response = {
        retried: retriedIds.size,
        skipped: Math.max(0, total - retriedIds.size),
    };
    return { status: 200, body: response };
}
exports.retryAllHandler = (0, queue_1.queueProvider)(retryAll);
