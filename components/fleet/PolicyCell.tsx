import type { NodeSummary } from '../../lib/nodes/types';
import { shortPolicySource } from '../../lib/nodes/policySource';
import { Icon } from '../ui/Icon';

/** What udev does to a new veth on this node, in words, with the file that decides it. */
export function PolicyCell({ policy }: { policy: NodeSummary['policy'] }) {
  if (policy === null) return <span className="muted">not reported yet</span>;
  return (
    <div className="state-cell">
      <span>
        <code>{policy.macAddressPolicy ?? 'unset'}</code>
        {policy.linkFile && (
          <span className="muted small" title={`Set by: ${policy.source ?? `${policy.linkFile} (no file sets it: udev's default)`}`}>
            {' '}
            ({shortPolicySource({ linkFile: policy.linkFile, source: policy.source === undefined ? policy.linkFile : policy.source })})
          </span>
        )}
      </span>
      {policy.udevRewritesMac ? (
        <span className="cell-flag tone-warn small">
          <Icon shape="warn" />
          udev will rewrite new veth MACs
        </span>
      ) : (
        <span className="cell-flag tone-ok small">
          <Icon shape="check" />
          udev leaves new veth MACs alone
        </span>
      )}
    </div>
  );
}
