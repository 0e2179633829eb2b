import type { NodeSummary } from '../../lib/nodes/types';
import { shortPolicySource } from '../../lib/nodes/policySource';
import { Icon } from '../ui/Icon';

/** What udev does to a new veth on this node, in words, on one line; the file that decides it on hover. */
export function PolicyCell({ policy }: { policy: NodeSummary['policy'] }) {
  if (policy === null) return <span className="muted">not reported yet</span>;
  return (
    <div className="inline-cell" title={`${policy.udevRewritesMac ? 'udev will rewrite new veth MACs' : 'udev leaves new veth MACs alone'}; set by: ${policy.source ?? `${policy.linkFile ?? 'no .link file'} (no file sets it: udev's default)`}`}>
      <span>
        <code>{policy.macAddressPolicy ?? 'unset'}</code>
        {policy.linkFile && (
          <span className="visually-hidden">
            {' '}
            ({shortPolicySource({ linkFile: policy.linkFile, source: policy.source === undefined ? policy.linkFile : policy.source })})
          </span>
        )}
      </span>
      {policy.udevRewritesMac ? (
        <span className="cell-flag tone-warn small">
          <Icon shape="warn" />
          <span aria-hidden="true">rewrites MACs</span>
          <span className="visually-hidden">udev will rewrite new veth MACs</span>
        </span>
      ) : (
        <span className="cell-flag tone-ok small">
          <Icon shape="check" />
          <span aria-hidden="true">leaves MACs</span>
          <span className="visually-hidden">udev leaves new veth MACs alone</span>
        </span>
      )}
    </div>
  );
}
