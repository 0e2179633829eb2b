'use client';
// Keeps "who am I" honest while a page sits open. After a server restart (or an expired session) the header would
// still say "operator · Sign out" until a click failed; so the tab asks /api/v1/me again when it regains focus or
// becomes visible, and when the live stream reconnects (the usual sign of a restart). When the answer turns from
// operator to anything else without this tab signing out, it says so at once: sign in again before acting.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { meKeys } from '../../lib/queries/keys';
import { meQuery, signOut } from '../../lib/queries/remediation';
import { useLiveStatus } from '../live/status';
import { Icon } from '../ui/Icon';

/** A sign-out this tab made within this long explains a lost operator role by itself. */
const OWN_SIGN_OUT_MS = 60_000;

export function SessionWatch() {
  const client = useQueryClient();
  const me = useQuery(meQuery());
  const status = useLiveStatus();
  const [lost, setLost] = useState<string | null>(null);

  useEffect(() => {
    const recheck = () => {
      if (document.visibilityState === 'hidden') return;
      void client.invalidateQueries({ queryKey: meKeys.me() });
    };
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', recheck);
    return () => {
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', recheck);
    };
  }, [client]);

  // Back to "live" after the stream dropped: the server may be a new process that knows no session of ours.
  const lastStatus = useRef(status);
  useEffect(() => {
    const before = lastStatus.current;
    lastStatus.current = status;
    if (status === 'live' && (before === 'reconnecting' || before === 'offline')) void client.invalidateQueries({ queryKey: meKeys.me() });
  }, [status, client]);

  const role = me.data?.role;
  const user = me.data?.user;
  const lastRole = useRef(role);
  const lastUser = useRef(user);
  useEffect(() => {
    const before = lastRole.current;
    const who = lastUser.current;
    lastRole.current = role;
    lastUser.current = user;
    if (role === 'operator') {
      setLost(null);
      return;
    }
    if (before !== 'operator' || role === undefined) return;
    const ownSignOut = client
      .getMutationCache()
      .getAll()
      .some((m) => m.options.mutationFn === signOut && Date.now() - m.state.submittedAt < OWN_SIGN_OUT_MS);
    if (!ownSignOut) setLost(who ?? 'operator');
  }, [role, user, client]);

  if (lost === null) return null;
  return (
    <div className="session-notice">
      <div className="banner tone-warn" role="alert">
        <Icon shape="warn" />
        <p>
          <strong>You were signed out</strong> ({lost}): the server no longer knows this session (it may have
          restarted). You are a viewer now; sign in again before you remediate.{' '}
          <button type="button" className="button" onClick={() => setLost(null)}>
            Dismiss
          </button>
        </p>
      </div>
    </div>
  );
}
