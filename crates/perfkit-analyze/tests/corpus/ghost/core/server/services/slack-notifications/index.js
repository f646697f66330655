module.exports = require('./service');
