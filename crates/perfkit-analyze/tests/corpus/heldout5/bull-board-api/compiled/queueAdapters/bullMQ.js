"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BullMQAdapter = void 0;
const bullmq_1 = require("bullmq");
const datastores_1 = require("../constants/datastores");
const statuses_1 = require("../constants/statuses");
const base_1 = require("./base");
const clusterInfo_1 = require("./clusterInfo");
/** The `:w:<name>` suffix BullMQ appends to the connection name of a named worker. */
const WORKER_NAME_SEPARATOR = ':w:';
// One producer per connection, however many adapters share it: each producer pins listeners on
// the client (or backend) and is never closed, so the entry must die with the connection.
const flowProducerCache = new WeakMap();
const POSTGRES_STATS_SQL = `
  SELECT split_part(current_setting('server_version'), ' ', 1) AS version,
         current_setting('port') AS port,
         extract(epoch from now() - pg_postmaster_start_time())::int AS uptime,
         (SELECT count(*) FROM pg_stat_activity) AS connected,
         (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock') AS blocked
`;
class BullMQAdapter extends base_1.BaseAdapter {
    constructor(queue, options = {}) {
        var _a, _b;
        const libName = 'bullmq';
        super(libName, options);
        this.queue = queue;
        if (!(queue instanceof bullmq_1.Queue || ((_b = `${(_a = queue.metaValues) === null || _a === void 0 ? void 0 : _a.version}`) === null || _b === void 0 ? void 0 : _b.startsWith(libName)))) {
            throw new Error(`You've used the BullMQ adapter with a non-BullMQ queue.`);
        }
    }
    async getRedisInfo() {
        const client = await this.resolveRedisClient();
        if (!client) {
            return null;
        }
        return (0, clusterInfo_1.isCluster)(client) ? (0, clusterInfo_1.clusterInfo)(client) : client.info();
    }
    async resolveRedisClient() {
        var _a, _b, _c;
        const queue = this.queue;
        if (typeof queue.getBackend === 'function') {
            return (_b = (await ((_a = queue.getBackend()) === null || _a === void 0 ? void 0 : _a.client))) !== null && _b !== void 0 ? _b : null;
        }
        return (_c = (await queue.client)) !== null && _c !== void 0 ? _c : null;
    }
    async getDatastoreStats() {
        var _a, _b, _c, _d;
        const pool = (_d = (_c = (_b = (_a = this.queue).getBackend) === null || _b === void 0 ? void 0 : _b.call(_a)) === null || _c === void 0 ? void 0 : _c.connection) === null || _d === void 0 ? void 0 : _d.pool;
        if (!pool) {
            return null;
        }
        const [row] = (await pool.query(POSTGRES_STATS_SQL)).rows;
        return {
            backend: datastores_1.DATASTORES.postgres,
            version: String(row.version),
            port: Number(row.port),
            uptime: Number(row.uptime),
            clients: { connected: Number(row.connected), blocked: Number(row.blocked) },
        };
    }
    // BullMQ v6 dropped the paused job state; a paused queue's jobs are stored as waiting.
    get hasPausedState() {
        return typeof this.queue.getBackend !== 'function';
    }
    getName() {
        return `${this.prefix}${this.getQueueName()}`;
    }
    async getWorkers() {
        const clients = await this.queue.getWorkers();
        return this.normalizeWorkers(clients, WORKER_NAME_SEPARATOR);
    }
    async clean(jobStatus, graceTimeMs) {
        await this.queue.clean(graceTimeMs, Number.MAX_SAFE_INTEGER, jobStatus);
    }
    addJob(name, data, options) {
        return this.queue.add(name, data, options);
    }
    getJob(id) {
        return this.queue.getJob(id);
    }
    async getJobs(jobStatuses, start, end) {
        const jobs = (await this.queue.getJobs(jobStatuses, start, end));
        return jobs.filter((job) => !!job);
    }
    getJobCounts() {
        return this.queue.getJobCounts();
    }
    getJobLogs(id) {
        return this.queue.getJobLogs(id).then(({ logs }) => logs);
    }
    // bullmq 5.56, the peer floor, returns these as raw Redis strings despite typing them number[].
    async getMetrics(type, start, end) {
        const metrics = await this.queue.getMetrics(type, start, end);
        return { ...metrics, data: metrics.data.map((point) => +point || 0) };
    }
    isPaused() {
        return this.queue.isPaused();
    }
    pause() {
        return this.queue.pause();
    }
    resume() {
        return this.queue.resume();
    }
    empty() {
        return this.queue.drain();
    }
    obliterate({ force = false } = {}) {
        return this.queue.obliterate({ force });
    }
    async promoteAll() {
        // since bullmq 4.6.0
        if (typeof this.queue.promoteJobs === 'function') {
            await this.queue.promoteJobs();
        }
        else {
            const jobs = await this.getJobs([statuses_1.STATUSES.delayed]);
            await Promise.all(jobs.map((job) => job.promote()));
        }
    }
    removeJobScheduler(id) {
        return this.queue.removeJobScheduler(id);
    }
    /**
     * Worked out from the ids BullMQ derives rather than from the error `Job#remove` raises, whose
     * numeric code only exists in newer BullMQ. Removing the run a scheduler is waiting on would
     * leave the scheduler registered and unable to fire again; past runs of the same scheduler carry
     * the same `repeatJobKey` and are ordinary jobs.
     */
    async getArmedJobSchedulerId(job) {
        const { id, repeatJobKey } = job;
        if (!id || !repeatJobKey) {
            return null;
        }
        const scheduler = await this.queue.getJobScheduler(repeatJobKey).catch(() => null);
        return (scheduler === null || scheduler === void 0 ? void 0 : scheduler.next) && this.schedulerRunId(repeatJobKey, scheduler.next) === id
            ? repeatJobKey
            : null;
    }
    async getJobSchedulers() {
        const schedulers = await this.queue.getJobSchedulers(0, -1);
        return Promise.all(schedulers.map(async (scheduler) => {
            var _a;
            return ({
                id: scheduler.key,
                name: scheduler.name,
                pattern: scheduler.pattern,
                every: scheduler.every,
                tz: scheduler.tz,
                limit: scheduler.limit,
                startDate: scheduler.startDate,
                endDate: scheduler.endDate,
                next: (_a = scheduler.next) !== null && _a !== void 0 ? _a : undefined,
                iterationCount: scheduler.iterationCount,
                template: scheduler.template,
                ...(await this.getSchedulerRuns(scheduler)),
            });
        }));
    }
    getJobSchedulersCount() {
        return this.queue.getJobSchedulersCount();
    }
    get supportsJobSchedulerUpdate() {
        return true;
    }
    get supportsJobSchedulerRun() {
        return true;
    }
    async runJobSchedulerNow(id) {
        var _a, _b;
        const scheduler = await this.queue.getJobScheduler(id);
        if (!scheduler) {
            return 'not-found';
        }
        // BullMQ already strips `repeat`, `jobId` and `delay` from a stored template, so what this
        // adds is an ordinary one-off job and the schedule keeps the pending run it was holding.
        return this.queue.add(scheduler.name, (_a = scheduler.template) === null || _a === void 0 ? void 0 : _a.data, (_b = scheduler.template) === null || _b === void 0 ? void 0 : _b.opts);
    }
    async updateJobScheduler(id, repeat) {
        var _a, _b;
        const current = await this.queue.getJobScheduler(id);
        if (!current) {
            return 'not-found';
        }
        // The template is re-sent as it is stored: an upsert that omits it would drop the job name,
        // data and options the app registered.
        const template = {
            name: current.name,
            data: (_a = current.template) === null || _a === void 0 ? void 0 : _a.data,
            opts: (_b = current.template) === null || _b === void 0 ? void 0 : _b.opts,
        };
        let next;
        try {
            next = await this.queue.upsertJobScheduler(id, repeat, template);
        }
        catch (error) {
            // BullMQ works out the next fire time before it writes anything, so a cron it cannot parse
            // throws with the stored scheduler untouched. Anything thrown for an interval schedule
            // happened while writing and is a real failure.
            if (!repeat.pattern) {
                throw error;
            }
            return 'invalid-schedule';
        }
        // A schedule that can never fire again, an end date in the past for instance, is answered
        // with nothing at all rather than an error.
        return next ? 'updated' : 'invalid-schedule';
    }
    /**
     * What the dashboard can say about a scheduler's runs, all of it worked out from the ids
     * BullMQ derives, `repeat:<schedulerId>:<scheduled millis>`.
     *
     * The next run is the delayed job waiting at `scheduler.next`. BullMQ stores no last-run time,
     * but it creates that delayed job the moment the previous run moves to active, so the job's
     * `timestamp` is when the previous run started. `iterationCount` of 1 means the job came from
     * the application's own upsert rather than from a run, and a scheduler past its limit or end
     * date has no pending job left at all.
     */
    async getSchedulerRuns(scheduler) {
        if (!scheduler.next) {
            return {};
        }
        const pendingRun = await this.queue.getJob(this.schedulerRunId(scheduler.key, scheduler.next));
        if (!pendingRun) {
            return {};
        }
        const hasRun = !!scheduler.iterationCount && scheduler.iterationCount > 1;
        return {
            nextRunJobId: pendingRun.id,
            ...(hasRun
                ? { lastRun: pendingRun.timestamp, lastRunJobId: await this.findLastRunId(scheduler) }
                : {}),
        };
    }
    /**
     * The previous run's id, but only when it can be named and the job is still there. Interval
     * schedules fire exactly `every` milliseconds apart, so the previous id follows from the next
     * one; a cron pattern would have to be parsed to say the same, which is not worth a dependency
     * for a job that `removeOnComplete` has usually deleted anyway.
     */
    async findLastRunId(scheduler) {
        if (!scheduler.every || !scheduler.next) {
            return undefined;
        }
        const previousRun = await this.queue.getJob(this.schedulerRunId(scheduler.key, scheduler.next - scheduler.every));
        return previousRun === null || previousRun === void 0 ? void 0 : previousRun.id;
    }
    schedulerRunId(schedulerId, millis) {
        return `repeat:${schedulerId}:${millis}`;
    }
    getStatuses() {
        return [statuses_1.STATUSES.latest, ...this.getJobStatuses()];
    }
    getJobStatuses() {
        return [
            statuses_1.STATUSES.active,
            statuses_1.STATUSES.waiting,
            statuses_1.STATUSES.waitingChildren,
            statuses_1.STATUSES.prioritized,
            statuses_1.STATUSES.completed,
            statuses_1.STATUSES.failed,
            statuses_1.STATUSES.delayed,
            ...(this.hasPausedState ? [statuses_1.STATUSES.paused] : []),
        ];
    }
    getClient() {
        return this.resolveRedisClient();
    }
    async getFlowProducer() {
        const queue = this.queue;
        // v6: reuse the queue's backend, so the producer works on any datastore, Redis or not.
        if (typeof queue.getBackend === 'function') {
            const backend = queue.getBackend();
            if (!backend)
                return null;
            let producer = flowProducerCache.get(backend);
            if (!producer) {
                producer = new bullmq_1.FlowProducer(this.queue.opts, () => backend);
                flowProducerCache.set(backend, producer);
            }
            return producer;
        }
        const client = await queue.client;
        if (!client)
            return null;
        let producer = flowProducerCache.get(client);
        if (!producer) {
            const prefix = this.getQueuePrefix();
            producer = new bullmq_1.FlowProducer({ connection: client, ...(prefix ? { prefix } : {}) });
            flowProducerCache.set(client, producer);
        }
        return producer;
    }
    getQueuePrefix() {
        var _a;
        return (_a = this.queue.opts) === null || _a === void 0 ? void 0 : _a.prefix;
    }
    getQueueName() {
        return this.queue.name;
    }
    getQueueQualifiedName() {
        return this.queue.qualifiedName;
    }
    /**
     * Fully prefixed Redis key for one of the queue's sets, for example `bull:MyQueue:completed`.
     * Exposed for @bull-board/metrics, which scans the completed and failed sorted sets
     * directly rather than paging whole Job objects through getJobs.
     */
    getQueueKey(set) {
        return this.queue.toKey(set);
    }
    getGlobalConcurrency() {
        var _a, _b;
        return ((_b = (_a = this.queue).getGlobalConcurrency) === null || _b === void 0 ? void 0 : _b.call(_a)) || null;
    }
    get supportsGlobalRateLimit() {
        return typeof this.queue.setGlobalRateLimit === 'function';
    }
    async getConfiguredRateLimit() {
        var _a, _b, _c;
        return (_c = (await ((_b = (_a = this.queue).getGlobalRateLimit) === null || _b === void 0 ? void 0 : _b.call(_a)))) !== null && _c !== void 0 ? _c : null;
    }
    async setConfiguredRateLimit({ max, duration }) {
        var _a, _b;
        await ((_b = (_a = this.queue).setGlobalRateLimit) === null || _b === void 0 ? void 0 : _b.call(_a, max, duration));
    }
    async removeConfiguredRateLimit() {
        var _a, _b;
        await ((_b = (_a = this.queue).removeGlobalRateLimit) === null || _b === void 0 ? void 0 : _b.call(_a));
    }
    async getActiveRateLimitTtl() {
        const ttl = await this.queue.getRateLimitTtl();
        return ttl > 0 ? ttl : 0;
    }
    async releaseActiveRateLimit() {
        await this.queue.removeRateLimitKey();
    }
    getQueueDefaultJobOptions() {
        var _a;
        return (_a = this.queue.opts.defaultJobOptions) !== null && _a !== void 0 ? _a : {};
    }
    async setGlobalConcurrency(concurrency) {
        var _a, _b, _c, _d;
        if (concurrency <= 0) {
            await ((_b = (_a = this.queue).removeGlobalConcurrency) === null || _b === void 0 ? void 0 : _b.call(_a));
        }
        else {
            await ((_d = (_c = this.queue).setGlobalConcurrency) === null || _d === void 0 ? void 0 : _d.call(_c, concurrency));
        }
    }
}
exports.BullMQAdapter = BullMQAdapter;
