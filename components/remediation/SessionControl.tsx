'use client';
// Who you are, in the header: your role, and for the local dashboard a small "sign in as operator" form that
// trades the operator token for a session cookie (POST /api/v1/session).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { meKeys, remediationKeys } from '../../lib/queries/keys';
import { meQuery, signIn, signOut } from '../../lib/queries/remediation';
import { describeRefusal } from './PreviewDialog';
import styles from './remediation.module.css';

export function SessionControl() {
  const me = useQuery(meQuery());
  const queryClient = useQueryClient();
  const router = useRouter();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);

  const after = async () => {
    await queryClient.invalidateQueries({ queryKey: meKeys.me() });
    await queryClient.invalidateQueries({ queryKey: remediationKeys.all });
    router.refresh();
  };
  const login = useMutation({
    mutationFn: signIn,
    onSuccess: async (next) => {
      queryClient.setQueryData(meKeys.me(), next);
      setToken('');
      setError(null);
      await after();
    },
    onError: (err) => setError(err instanceof Error && 'status' in err && err.status === 401 ? 'Wrong operator token.' : describeRefusal(err)),
  });
  const logout = useMutation({ mutationFn: signOut, onSuccess: after });

  if (!me.data) return null;
  const who = me.data;
  if (who.role === 'operator') {
    return (
      <div className={styles.signIn} aria-label="Session">
        <span>
          <strong>{who.user ?? 'operator'}</strong> · operator
        </span>
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
        <span className="muted">{who.user ?? 'anonymous'} · viewer</span>
      </div>
    );
  }
  return (
    <form
      className={styles.signIn}
      aria-label="Sign in as operator"
      onSubmit={(e) => {
        e.preventDefault();
        if (token !== '') login.mutate(token);
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
        value={token}
        onChange={(e) => setToken(e.target.value)}
      />
      <button type="submit" className="button" disabled={login.isPending || token === ''}>
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
