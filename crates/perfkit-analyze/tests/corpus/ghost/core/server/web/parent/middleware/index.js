module.exports = {
    emitEvents: require('./emit-events'),
    ghostLocals: require('./ghost-locals'),
    logRequest: require('./log-request'),
    queueRequest: require('./queue-request'),
    requestId: require('./request-id')
};
