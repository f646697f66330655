"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.redisStatsHandler = redisStatsHandler;
const redis_info_1 = require("redis-info");
const datastores_1 = require("../constants/datastores");
const errors_1 = require("../errors");
async function getStats(queue) {
    const redisInfoRaw = await queue.getRedisInfo();
    // No `INFO` means the queue is not on Redis, which only BullMQ v6 can manage. Its own
    // datastore answers a smaller set of the same questions.
    if (redisInfoRaw === null) {
        return queue.getDatastoreStats();
    }
    const redisInfo = (0, redis_info_1.parse)(redisInfoRaw);
    return {
        backend: datastores_1.DATASTORES.redis,
        version: redisInfo.redis_version,
        mode: redisInfo.redis_mode,
        port: +redisInfo.tcp_port,
        os: redisInfo.os,
        uptime: +redisInfo.uptime_in_seconds,
        memory: {
            total: +redisInfo.maxmemory || +redisInfo.total_system_memory,
            used: +redisInfo.used_memory,
            fragmentationRatio: +redisInfo.mem_fragmentation_ratio,
            peak: +redisInfo.used_memory_peak,
        },
        clients: {
            connected: +redisInfo.connected_clients,
            blocked: +redisInfo.blocked_clients,
        },
    };
}
async function redisStatsHandler({ queues: bullBoardQueues, uiConfig, }) {
    if (uiConfig.hideRedisDetails) {
        return (0, errors_1.errorResponse)(403, 'ERRORS.FORBIDDEN');
    }
    const pairs = [...bullBoardQueues.values()];
    if (pairs.length === 0) {
        return { body: {} };
    }
    const body = await getStats(pairs[0]);
    // A datastore that is neither Redis nor one we can question.
    if (body === null) {
        return (0, errors_1.errorResponse)(404, 'ERRORS.REDIS_STATS_UNAVAILABLE');
    }
    return {
        body,
    };
}
