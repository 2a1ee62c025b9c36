export { SidecarProcess, type SidecarOptions, type SidecarExit, type ReadyEvent, type DoneEvent, type ErrorEvent } from './process';
export { toSidecarConfig, type SidecarRunConfig, type SidecarPaths } from './config';
export { sidecarEnv, gpuFor } from './env';
export { killTree, isAlive } from './kill-tree';
export { protocolValidators } from './schema';
