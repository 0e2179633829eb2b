import type { NodeSummary } from '../../lib/nodes/types';
import { basename } from '../ui/format';
import { Icon } from '../ui/Icon';

/** What udev does to a new veth on this node, in words, on one line; the file that decides it on hover. */
export function PolicyCell({ policy }: { policy: NodeSummary['policy'] }) {
  if (policy === null) return <span className="muted">not reported yet</span>;
  return (
    <div className="inline-cell" title={`${policy.udevRewritesMac ? 'udev will rewrite new veth MACs' : 'udev leaves new veth MACs alone'}; winning file: ${policy.linkFile ?? 'none'}`}>
      <span>
        <code>{policy.macAddressPolicy ?? 'unset'}</code>
        {policy.linkFile && <span className="visually-hidden"> ({basename(policy.linkFile)})</span>}
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
