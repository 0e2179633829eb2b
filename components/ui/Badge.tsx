import type { ArpStatus, Finding } from '../../lib/report/schema';
import type { NodeState } from '../../lib/nodes/types';
import { Icon } from './Icon';
import { arpStatusPresentation, nodeStatePresentation, severityPresentation, type Presentation } from './tones';

export function Badge({ presentation }: { presentation: Presentation }) {
  return (
    <span className={`badge tone-${presentation.tone}`}>
      <Icon shape={presentation.shape} />
      {presentation.label}
    </span>
  );
}

export function StateBadge({ state }: { state: NodeState }) {
  return <Badge presentation={nodeStatePresentation[state]} />;
}

export function ArpBadge({ status }: { status: ArpStatus }) {
  return <Badge presentation={arpStatusPresentation[status]} />;
}

export function SeverityBadge({ severity }: { severity: Finding['severity'] }) {
  return <Badge presentation={severityPresentation[severity]} />;
}
