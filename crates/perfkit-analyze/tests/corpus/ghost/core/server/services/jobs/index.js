module.exports = require('./job-service');
