// @vitest-environment happy-dom
// The header names the operator, and on a server with no operator credential says that everyone is a viewer.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionBadge } from './SessionBadge';

afterEach(cleanup);

describe('SessionBadge', () => {
  it("shows the operator's name", () => {
    render(<SessionBadge me={{ user: 'alice', role: 'operator', operatorsConfigured: true }} />);
    expect(screen.getByTestId('session-badge').textContent).toBe('alice · operator');
    expect(screen.getByText('alice').tagName).toBe('STRONG');
  });

  it('shows a viewer as a viewer, by name when the proxy gave one', () => {
    render(<SessionBadge me={{ user: 'bob', role: 'viewer', operatorsConfigured: true }} />);
    expect(screen.getByTestId('session-badge').textContent).toBe('bob · viewer');
  });

  it('says everyone is a viewer when no operator credential is configured', () => {
    render(<SessionBadge me={{ user: null, role: 'viewer', operatorsConfigured: false }} />);
    expect(screen.getByTestId('session-badge').textContent).toMatch(/^anonymous · viewer · no operators are configured on this server, so everyone is a viewer$/);
  });
});
