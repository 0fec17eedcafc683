/** The simulated API server (kept at this path for the tests, benchmarks and scripts that start it). */
export { DEFAULT_TOKEN, SimApiServer, type SimServerOptions } from './api/server.js';
export { ANTREA_NAMESPACE } from './cluster.js';
