module.exports = {
    cors: require('./cors'),
    updateUserLastSeen: require('./update-user-last-seen'),
    upload: require('./upload')
};
