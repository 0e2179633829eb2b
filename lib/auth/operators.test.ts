// The operators file and the single operator token: what counts as an operator, and every way a setup is refused at
// start-up with a message that names the line and never echoes a secret.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthConfigError, credentialFingerprint, operatorsFromEnv, parseOperatorsFile } from './operators';
import { secretDigest } from './secrets';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-operators-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('parseOperatorsFile', () => {
  it('reads name: sha256 lines, skipping comments and blank lines (CRLF too)', () => {
    const ops = parseOperatorsFile(`# on call\r\n\r\nalice: ${sha('a-token')}\r\n  bob.smith@example.com :  ${sha('b-token').toUpperCase()}  \n`, 'ops');
    expect(ops.map((o) => o.name)).toEqual(['alice', 'bob.smith@example.com']);
    expect(ops[0].digest.equals(secretDigest('a-token'))).toBe(true);
    expect(ops[1].digest.equals(secretDigest('b-token'))).toBe(true);
  });

  it.each([
    ['alice', /ops:1: expected "name: <sha256 hex of the token>"/],
    [`-alice: ${sha('x')}`, /ops:1: an operator name is 1-64/],
    [`al ice: ${sha('x')}`, /ops:1: an operator name/],
    [`: ${sha('x')}`, /ops:1: an operator name/],
    ['alice: my-plain-secret-token', /ops:1: alice's credential must be the SHA-256 of the token as 64 hex digits/],
    [`alice: ${sha('x')}0`, /64 hex digits/],
    [`alice: ${sha('x')}\nalice: ${sha('y')}`, /ops:2: operator alice is listed twice/],
    [`alice: ${sha('x')}\nbob: ${sha('x')}`, /ops:2: bob has the same token as alice/],
    ['# nobody\n\n', /ops lists no operators/],
  ])('refuses %j', (text, why) => {
    expect(() => parseOperatorsFile(text, 'ops')).toThrow(why);
  });

  it('never quotes a line back (it might be a pasted token)', () => {
    try {
      parseOperatorsFile('alice: my-plain-secret-token', 'ops');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AuthConfigError);
      expect((err as Error).message).not.toContain('my-plain-secret-token');
    }
  });
});

describe('operatorsFromEnv', () => {
  const file = (text: string) => {
    const f = path.join(dir, `ops-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(f, text);
    return f;
  };

  it('adds VETHWATCH_OPERATOR_TOKEN as the operator named "operator"', () => {
    const ops = operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: file(`alice: ${sha('alice-token-0123456789')}\n`), VETHWATCH_OPERATOR_TOKEN: ' the-shared-token-0123 ' });
    expect(ops.map((o) => o.name)).toEqual(['alice', 'operator']);
    expect(ops[1].digest.equals(secretDigest('the-shared-token-0123'))).toBe(true);
    expect(operatorsFromEnv({})).toEqual([]);
    expect(operatorsFromEnv({ VETHWATCH_OPERATOR_TOKEN: '  ' })).toEqual([]);
  });

  it('refuses an operator token shorter than 16 characters, without printing it', () => {
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATOR_TOKEN: 'short-token-15ch' })).not.toThrow();
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATOR_TOKEN: 'short-token-15c' })).toThrow(/VETHWATCH_OPERATOR_TOKEN is shorter than 16 characters/);
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATOR_TOKEN: 'short-token-15c' })).not.toThrow(/short-token-15c/);
  });

  it('reads a missing file (an absent optional Secret) as no operators, never as an error or an open door', () => {
    expect(operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: path.join(dir, 'nope') })).toEqual([]);
    expect(operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: path.join(dir, 'nope'), VETHWATCH_OPERATOR_TOKEN: 'the-shared-token-0123' }).map((o) => o.name)).toEqual(['operator']);
  });

  it('refuses an unreadable file, a reserved name and a token shared with a named operator', () => {
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: dir })).toThrow(/VETHWATCH_OPERATORS_FILE: cannot read .*: EISDIR/);
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: file(`operator: ${sha('x')}\n`), VETHWATCH_OPERATOR_TOKEN: 'the-shared-token-0123' })).toThrow(/reserved/);
    expect(() => operatorsFromEnv({ VETHWATCH_OPERATORS_FILE: file(`alice: ${sha('the-shared-token-0123')}\n`), VETHWATCH_OPERATOR_TOKEN: 'the-shared-token-0123' })).toThrow(/alice's token/);
  });

  it("gives each credential a fingerprint that changes with the token and is not the token's digest", () => {
    const a = { name: 'alice', digest: secretDigest('one-token-0123456789') };
    const b = { name: 'alice', digest: secretDigest('two-token-0123456789') };
    expect(credentialFingerprint(a)).not.toBe(credentialFingerprint(b));
    expect(credentialFingerprint(a)).not.toBe(a.digest.toString('hex'));
    expect(credentialFingerprint(a)).toBe(credentialFingerprint({ ...a }));
  });
});
