// Typed errors of the link-config model. Malformed host files never throw (they become findings); these are
// for programming errors and for inputs the caller controls (a bad root, a bad prefix).

export class LinkConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkConfigError';
  }
}

/** The --root directory cannot be used (missing, not a directory, not absolute). */
export class RootDirError extends LinkConfigError {
  constructor(
    readonly root: string,
    reason: string,
  ) {
    super(`cannot read host files under ${JSON.stringify(root)}: ${reason}`);
    this.name = 'RootDirError';
  }
}

/** A veth name prefix the CNI could not have used (empty, too long, or not a valid interface-name start). */
export class VethPrefixError extends LinkConfigError {
  constructor(readonly prefix: string) {
    super(`invalid veth prefix ${JSON.stringify(prefix)}: expected 1-4 characters valid in an interface name`);
    this.name = 'VethPrefixError';
  }
}

/** Symlinks under the root loop (ELOOP); udev would fail to open the path the same way. */
export class SymlinkLoopError extends LinkConfigError {
  constructor(readonly path: string) {
    super(`too many levels of symbolic links resolving ${path}`);
    this.name = 'SymlinkLoopError';
  }
}
