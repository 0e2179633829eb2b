// Which systemd .link file udev applies to a network device, and what it does to the device's MAC, modelled
// on systemd-udevd 252 (reading its source, checked against real `udevadm test-builtin net_setup_link`).
export type {
  ConditionSpec,
  DeviceFacts,
  HostFacts,
  LinkCandidate,
  LinkConfig,
  LinkExplanation,
  LinkFileStatus,
  LinkSettings,
  NetMatch,
} from './types';
export { loadLinkConfig, MODELLED_VERSION, type LoadOptions } from './load';
export { explainLink, findLinkFile, resolveLink } from './resolve';
export { newVethFacts, readLiveDeviceFacts } from './deviceFacts';
export { readHostFacts } from './hostFacts';
export { parseLinkFileInto } from './confParser';
export { emptySettings } from './keys';
export { formatHwAddr } from './hwaddr';
export { chase, compareNames, dropInDirs, hostPath, listAll, NETWORK_DIRS, nodeKind, resolveDirs, winners } from './confFiles';
export { LinkConfigError, RootDirError, SymlinkLoopError, VethPrefixError } from './errors';
