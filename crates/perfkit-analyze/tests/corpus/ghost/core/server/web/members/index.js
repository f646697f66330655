module.exports = require('./app');
