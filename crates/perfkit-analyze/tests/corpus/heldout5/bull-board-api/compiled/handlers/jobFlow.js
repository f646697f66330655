"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.jobFlowHandler = void 0;
exports.readFlowWindow = readFlowWindow;
const job_1 = require("../providers/job");
const queue_1 = require("../providers/queue");
const MAX_FLOW_NODES = 200;
function readFlowWindow(query) {
    return { depth: query.depth, maxChildren: query.maxChildren };
}
async function readDependencies(job) {
    var _a, _b, _c, _d;
    if (typeof job.getDependenciesCount !== 'function') {
        return {};
    }
    const counts = await job
        .getDependenciesCount({ processed: true, unprocessed: true, ignored: true, failed: true })
        .catch(() => null);
    if (!counts) {
        return {};
    }
    const dependencies = {
        processed: (_a = counts.processed) !== null && _a !== void 0 ? _a : 0,
        unprocessed: (_b = counts.unprocessed) !== null && _b !== void 0 ? _b : 0,
        ignored: (_c = counts.ignored) !== null && _c !== void 0 ? _c : 0,
        failed: (_d = counts.failed) !== null && _d !== void 0 ? _d : 0,
    };
    return Object.values(dependencies).some(Boolean) ? { dependencies } : {};
}
async function readIgnoredFailures(job, ignored) {
    if (!ignored || typeof job.getIgnoredChildrenFailures !== 'function') {
        return {};
    }
    const reasons = await job.getIgnoredChildrenFailures().catch(() => null);
    return reasons && Object.keys(reasons).length > 0 ? { ignoredChildFailureReasons: reasons } : {};
}
function countDependencies(dependencies) {
    if (!dependencies) {
        return 0;
    }
    return (dependencies.processed + dependencies.unprocessed + dependencies.ignored + dependencies.failed);
}
function toFlowNode(node, resolveQueueName) {
    return {
        id: node.job.id,
        name: node.job.name,
        progress: node.job.progress,
        state: 'unknown',
        queueName: resolveQueueName(node.job),
        children: [],
    };
}
async function hydrate(job, target, vanished) {
    var _a, _b;
    const [state, dependencies] = await Promise.all([job.getState(), readDependencies(job)]);
    target.state = state;
    Object.assign(target, dependencies);
    Object.assign(target, await readIgnoredFailures(job, (_b = (_a = dependencies.dependencies) === null || _a === void 0 ? void 0 : _a.ignored) !== null && _b !== void 0 ? _b : 0));
    if (target.children.length + vanished < countDependencies(dependencies.dependencies)) {
        target.truncated = true;
    }
}
// One level of children costs a single hydration pass per child, so `maxChildren` already
// bounds it. Only a deeper window multiplies out and needs the flat cap.
function nodeBudget({ depth, maxChildren }) {
    return depth <= 2 ? Math.max(MAX_FLOW_NODES, maxChildren) : MAX_FLOW_NODES;
}
async function simplifyTree(root, window, resolveQueueName) {
    var _a, _b;
    if (!root || !root.job.id) {
        return null;
    }
    const budget = nodeBudget(window);
    const rootNode = toFlowNode(root, resolveQueueName);
    const hydrated = [[root.job, rootNode]];
    const vanished = new Map();
    let frontier = [[root, rootNode]];
    let count = 1;
    while (frontier.length > 0) {
        const level = frontier;
        frontier = [];
        for (const [source, target] of level) {
            for (const child of (source.children || []).slice(0, window.maxChildren)) {
                // getFlow yields `undefined` once `removeOnComplete` has cleared a finished child.
                if (!((_a = child === null || child === void 0 ? void 0 : child.job) === null || _a === void 0 ? void 0 : _a.id)) {
                    vanished.set(target, ((_b = vanished.get(target)) !== null && _b !== void 0 ? _b : 0) + 1);
                    continue;
                }
                if (count > budget) {
                    target.truncated = true;
                    continue;
                }
                const childNode = toFlowNode(child, resolveQueueName);
                target.children.push(childNode);
                hydrated.push([child.job, childNode]);
                frontier.push([child, childNode]);
                count += 1;
            }
        }
    }
    await Promise.all(hydrated.map(([job, target]) => { var _a; return hydrate(job, target, (_a = vanished.get(target)) !== null && _a !== void 0 ? _a : 0); }));
    return rootNode;
}
function emptyNodeResponse(nodeId) {
    return {
        status: 200,
        body: {
            nodeId,
            flowRoot: null,
            isFlowNode: false,
        },
    };
}
async function getJobFlow(req, job, queue) {
    var _a;
    const jobId = job.id;
    if (queue.type !== 'bullmq') {
        return emptyNodeResponse(jobId);
    }
    const { buildBoardQueueNameResolver, findFlowRoot, getFlowTree } = await Promise.resolve().then(() => __importStar(require('../providers/flow'))); // required to allow separation between bull & bullMQ
    const root = req.query.root === 'node'
        ? { queueName: queue.getName(), jobId: jobId }
        : await findFlowRoot(req.queues, job);
    if (!root) {
        return emptyNodeResponse(jobId);
    }
    const window = readFlowWindow(req.query);
    const flowTree = await getFlowTree(req.queues, root.queueName, root.jobId, window);
    const resolveQueueName = buildBoardQueueNameResolver(req.queues);
    const rootSimplified = await simplifyTree(flowTree, window, resolveQueueName);
    return {
        status: 200,
        body: {
            nodeId: jobId,
            isFlowNode: ((_a = rootSimplified === null || rootSimplified === void 0 ? void 0 : rootSimplified.children.length) !== null && _a !== void 0 ? _a : 0) > 0,
            flowRoot: rootSimplified,
        },
    };
}
exports.jobFlowHandler = (0, queue_1.queueProvider)((0, job_1.jobProvider)(getJobFlow), {
    skipReadOnlyModeCheck: true,
});
