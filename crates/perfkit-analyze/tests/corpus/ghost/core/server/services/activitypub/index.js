module.exports = require('./ActivityPubServiceWrapper');
