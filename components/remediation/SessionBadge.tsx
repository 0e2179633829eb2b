// Who you are, in words, for the header: the operator's name, a viewer's name when a proxy knows it, and on a
// server with no operator credential at all, that everyone here is a viewer (so nobody hunts for a sign-in that
// cannot exist). Pure: SessionControl wraps it with the sign-in and sign-out actions.
import type { MeResponse } from '../../lib/remediation/types';

export function SessionBadge({ me }: { me: Pick<MeResponse, 'user' | 'role' | 'operatorsConfigured'> }) {
  if (me.role === 'operator') {
    return (
      <span data-testid="session-badge">
        <strong>{me.user ?? 'operator'}</strong> · operator
      </span>
    );
  }
  if (!me.operatorsConfigured) {
    return (
      <span className="muted" data-testid="session-badge" title="Set VETHWATCH_OPERATORS_FILE, VETHWATCH_OPERATOR_TOKEN or VETHWATCH_TRUSTED_PROXY to allow operators">
        {me.user ?? 'anonymous'} · viewer · no operators are configured on this server, so everyone is a viewer
      </span>
    );
  }
  return (
    <span className="muted" data-testid="session-badge">
      {me.user ?? 'anonymous'} · viewer
    </span>
  );
}
