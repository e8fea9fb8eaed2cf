// src/common/version: nodedb's version, reported by --version, server_version and version(). Keep equal to package.json
// (test/unit/src/config.test.ts checks it).
export const NODEDB_VERSION = '0.1.0'
