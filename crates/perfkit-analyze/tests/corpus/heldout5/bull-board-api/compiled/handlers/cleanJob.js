"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.cleanJobHandler = void 0;
const errors_1 = require("../errors");
const job_1 = require("../providers/job");
const queue_1 = require("../providers/queue");
/**
 * BullMQ's `ErrorCode.JobBelongsToJobScheduler`. It is raised only for the run a scheduler is
 * currently waiting on, because removing that run on its own would leave the scheduler registered
 * but unable to ever fire again. Past runs of the same scheduler are ordinary jobs and remove fine,
 * even though they also carry a `repeatJobKey`.
 */
const JOB_BELONGS_TO_JOB_SCHEDULER = -8;
function isJobSchedulerRun(error) {
    return (error === null || error === void 0 ? void 0 : error.code) === JOB_BELONGS_TO_JOB_SCHEDULER;
}
async function cleanJob(_req, job, queue) {
    var _a;
    const jobId = (_a = job.toJSON().id) !== null && _a !== void 0 ? _a : 'unknown id';
    const armedSchedulerId = await queue.getArmedJobSchedulerId(job);
    if (armedSchedulerId) {
        return (0, errors_1.errorResponse)(400, 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER', {
            message: {
                key: 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER_DETAILS',
                options: { jobId, jobSchedulerId: armedSchedulerId },
            },
            code: 'JOB_BELONGS_TO_JOB_SCHEDULER',
            jobSchedulerId: armedSchedulerId,
        });
    }
    try {
        await job.remove();
    }
    catch (error) {
        const jobSchedulerId = job.repeatJobKey;
        // The scheduler id is what makes this answer actionable, so without one the error is left to
        // fall through rather than reported as a 400 the caller cannot do anything about.
        if (isJobSchedulerRun(error) && jobSchedulerId) {
            return (0, errors_1.errorResponse)(400, 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER', {
                message: {
                    key: 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER_DETAILS',
                    options: { jobId, jobSchedulerId },
                },
                code: 'JOB_BELONGS_TO_JOB_SCHEDULER',
                jobSchedulerId,
            });
        }
        // A job held by a worker cannot be removed. BullMQ reports that without an error code, so the
        // job state is what separates this transient conflict from an actual server fault.
        if ((await job.getState().catch(() => null)) === 'active') {
            return (0, errors_1.errorResponse)(409, 'ERRORS.JOB_IS_ACTIVE', {
                message: { key: 'ERRORS.JOB_IS_ACTIVE_DETAILS', options: { jobId } },
            });
        }
        throw error;
    }
    return {
        status: 204,
        body: {},
    };
}
exports.cleanJobHandler = (0, queue_1.queueProvider)((0, job_1.jobProvider)(cleanJob));
