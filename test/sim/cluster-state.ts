/** The simulated cluster's state lives in cluster.ts (store, controllers, Nodes, dataplane). */
export { ANTREA_NAMESPACE, setConfKeys, SimCluster, type AgentView } from './cluster.js';
