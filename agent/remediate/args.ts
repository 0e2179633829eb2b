// `agent remediate` flags. Anything unknown or malformed is a RemediateUsageError: the command then does nothing.
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

export class RemediateUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemediateUsageError';
  }
}

export interface RemediateArgs {
  help: boolean;
  dryRun: boolean;
  /** Apply only if the node's current plan still has this id. */
  planId: string | null;
  /** Host filesystem root for files (the drop-in, link config); repairs always act on the live kernel. */
  root: string;
  node: string | undefined;
  /** Null disables it (`--termination-log ''`). */
  terminationLog: string | null;
}

export const REMEDIATE_HELP = `usage: agent remediate [--dry-run] [--plan-id ID] [--root DIR] [--node NAME] [--termination-log PATH] [--json]

Fix this node: write /etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf (MACAddressPolicy=none)
unless new veths are already safe, run "udevadm control --reload" if udevd runs (never "udevadm trigger"), and
repair each pod whose gateway neighbour entry no longer matches its host veth's MAC. Re-scans afterwards and prints
a JSON result on stdout.

  --dry-run               print the plan as JSON and change nothing
  --plan-id ID            apply only if the current plan's id is ID (from a --dry-run); exit 3 otherwise
  --root DIR              host filesystem root for files (default /); repairs act on the live kernel
  --node NAME             node name for the plan and result (default: the host's name)
  --termination-log PATH  also write the JSON there, best effort (default ${DEFAULT_TERMINATION_LOG}; '' disables)
  --json                  JSON output (the default and only format)

exit status: 0 done and verified (or nothing to do), 1 something failed or could not be verified,
             2 bad flags (nothing done), 3 --plan-id no longer matches (nothing done)
`;

const NODE_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

export function parseRemediateArgs(argv: string[]): RemediateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        'plan-id': { type: 'string' },
        root: { type: 'string' },
        node: { type: 'string' },
        'termination-log': { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new RemediateUsageError(e instanceof Error ? e.message : String(e));
  }

  const planId = values['plan-id'] ?? null;
  if (planId !== null && !/^[0-9a-f]{16}$/.test(planId)) {
    throw new RemediateUsageError(`--plan-id must be the 16 hex digits a --dry-run printed as "id", got "${planId}"`);
  }
  if (planId !== null && values['dry-run']) {
    throw new RemediateUsageError('--plan-id applies a previewed plan; it makes no sense with --dry-run');
  }

  const root = path.resolve(values.root ?? '/');
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new RemediateUsageError(`--root ${root} is not a directory`);

  const node = values.node;
  if (node !== undefined && (node.length > 253 || !NODE_NAME.test(node))) {
    throw new RemediateUsageError(`--node "${node}" is not a valid node name`);
  }

  const tl = values['termination-log'];
  return {
    help: values.help ?? false,
    dryRun: values['dry-run'] ?? false,
    planId,
    root,
    node,
    terminationLog: tl === undefined ? DEFAULT_TERMINATION_LOG : tl === '' ? null : tl,
  };
}
