// A module of a multi-file JavaScript submission; index.js is the entry point.
module.exports = (a, b) => a + b;
