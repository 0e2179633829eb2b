'use client';
// Who you are, in the header (SessionBadge: your name and role), and where operator tokens are configured a small
// "sign in as operator" form that trades your token for a server-side session (POST /api/v1/session).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, useSyncExternalStore } from 'react';
import { meKeys, remediationKeys } from '../../lib/queries/keys';
import { meQuery, signIn, signOut } from '../../lib/queries/remediation';
import { describeRefusal } from './PreviewDialog';
import { SessionBadge } from './SessionBadge';
import styles from './remediation.module.css';

export function SessionControl() {
  const me = useQuery(meQuery());
  const queryClient = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();

  const after = async () => {
    await queryClient.invalidateQueries({ queryKey: meKeys.me() });
    await queryClient.invalidateQueries({ queryKey: remediationKeys.all });
    router.refresh();
  };
  const login = useMutation({
    mutationFn: ({ token }: { token: string; form: HTMLFormElement }) => signIn(token),
    onSuccess: async (next, { form }) => {
      queryClient.setQueryData(meKeys.me(), next);
      form.reset();
      setError(null);
      await after();
    },
    onError: (err) =>
      setError(
        err instanceof Error && 'status' in err && err.status === 401
          ? 'Wrong operator token.'
          : err instanceof Error && 'status' in err && err.status === 429
            ? 'Too many failed sign-ins from here; wait a while and try again.'
            : describeRefusal(err),
      ),
  });
  const logout = useMutation({ mutationFn: signOut, onSuccess: after });

  if (!me.data) return null;
  const who = me.data;
  if (who.role === 'operator') {
    return (
      <div className={styles.signIn} aria-label="Session">
        <SessionBadge me={who} />
        {who.via === 'session' && (
          <button type="button" className="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Sign out
          </button>
        )}
      </div>
    );
  }
  if (!who.sessionLogin) {
    return (
      <div className={styles.signIn} aria-label="Session">
        <SessionBadge me={who} />
      </div>
    );
  }
  return (
    // Uncontrolled: a token typed before the page hydrates is still there when the button comes alive (a
    // controlled input would hydrate as empty and keep the button disabled). POST, so nothing can put the token in
    // a URL.
    <form
      className={styles.signIn}
      aria-label="Sign in as operator"
      method="post"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const token = new FormData(form).get('token');
        if (typeof token === 'string' && token !== '') login.mutate({ token, form });
      }}
    >
      <span className="muted">viewer</span>
      <label htmlFor="operator-token" className="visually-hidden">
        Operator token
      </label>
      <input
        id="operator-token"
        type="password"
        autoComplete="current-password"
        placeholder="Operator token"
        name="token"
        required
      />
      {/* Disabled until hydrated: before that, submitting would be the browser's own form post, not a sign-in. */}
      <button type="submit" className="button" disabled={!hydrated || login.isPending}>
        Sign in as operator
      </button>
      {error && (
        <span role="alert" className={styles.inlineError}>
          {error}
        </span>
      )}
    </form>
  );
}

const subscribeNothing = () => () => {};
/** False in the server's HTML and during hydration, true once React runs in the browser. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );
}
