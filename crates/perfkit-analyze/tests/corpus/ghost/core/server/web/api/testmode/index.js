module.exports = require('./routes');
