import 'server-only';
// Who may act as an operator with a token, by name: the lines of VETHWATCH_OPERATORS_FILE (`name: <sha256 hex of
// the token>`) plus VETHWATCH_OPERATOR_TOKEN as the one operator named `operator`. Only digests are kept, so a
// token never sits in memory longer than the start-up read of the environment. Any doubt about a file that exists is
// a start-up error: a typo would otherwise silently lock an operator out, or worse, let a stray line in. A file that
// does not exist is no operators (the deployed Secret is optional: without it everyone is a viewer), which only
// ever takes access away; the start-up line says so.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { secretDigest } from './secrets';

export const OPERATORS_FILE_ENV = 'VETHWATCH_OPERATORS_FILE';
export const OPERATOR_TOKEN_ENV = 'VETHWATCH_OPERATOR_TOKEN';
/** The name VETHWATCH_OPERATOR_TOKEN's holder is known by in the audit log. */
export const TOKEN_OPERATOR = 'operator';
/** Shorter tokens are guessable online; the server refuses to start with one. */
export const MIN_TOKEN_CHARS = 16;
/** An operators file is a handful of lines; anything near this is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

export interface Operator {
  name: string;
  /** SHA-256 of the token (what secretDigest gives): compared with sameSecret. */
  digest: Buffer;
}

/** A configuration that must stop the server at start-up; the message says what to fix, never a secret. */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/** The operators of one file's text; `where` names the file in messages. */
export function parseOperatorsFile(text: string, where: string): Operator[] {
  const operators: Operator[] = [];
  const byDigest = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = `${where}:${i + 1}`;
    const colon = line.indexOf(':');
    // The line's content is never quoted back: a pasted token must not end up in a log.
    if (colon === -1) throw new AuthConfigError(`${at}: expected "name: <sha256 hex of the token>"`);
    const name = line.slice(0, colon).trim();
    const hex = line.slice(colon + 1).trim();
    if (!NAME.test(name)) {
      throw new AuthConfigError(`${at}: an operator name is 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
    }
    if (!SHA256_HEX.test(hex)) {
      throw new AuthConfigError(`${at}: ${name}'s credential must be the SHA-256 of the token as 64 hex digits (printf %s "$TOKEN" | sha256sum), not the token itself`);
    }
    if (operators.some((o) => o.name === name)) throw new AuthConfigError(`${at}: operator ${name} is listed twice`);
    const key = hex.toLowerCase();
    const other = byDigest.get(key);
    if (other) throw new AuthConfigError(`${at}: ${name} has the same token as ${other}; every operator needs a token of their own`);
    byDigest.set(key, name);
    operators.push({ name, digest: Buffer.from(key, 'hex') });
  }
  if (operators.length === 0) throw new AuthConfigError(`${where} lists no operators; add "name: <sha256 hex of the token>" lines or unset ${OPERATORS_FILE_ENV}`);
  return operators;
}

/** Whether the operators file is absent (as when the optional Secret behind its mount does not exist). */
export function operatorsFileMissing(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function readOperatorsFile(file: string): Operator[] {
  if (operatorsFileMissing(file)) return [];
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new AuthConfigError(`${OPERATORS_FILE_ENV}: ${file} is larger than ${MAX_FILE_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof AuthConfigError) throw err;
    throw new AuthConfigError(`${OPERATORS_FILE_ENV}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseOperatorsFile(text, file);
}

/** Every token operator the environment configures (possibly none). Throws AuthConfigError for any doubt. */
export function operatorsFromEnv(env: Record<string, string | undefined>): Operator[] {
  const file = env[OPERATORS_FILE_ENV]?.trim();
  const operators = file ? readOperatorsFile(file) : [];
  const token = env[OPERATOR_TOKEN_ENV]?.trim();
  if (token) {
    if (token.length < MIN_TOKEN_CHARS) {
      throw new AuthConfigError(`${OPERATOR_TOKEN_ENV} is shorter than ${MIN_TOKEN_CHARS} characters; use a long random one, e.g. openssl rand -base64 24`);
    }
    if (operators.some((o) => o.name === TOKEN_OPERATOR)) {
      throw new AuthConfigError(`${OPERATORS_FILE_ENV} names an operator "${TOKEN_OPERATOR}", the name reserved for ${OPERATOR_TOKEN_ENV}; rename one`);
    }
    const digest = secretDigest(token);
    const same = operators.find((o) => o.digest.equals(digest));
    if (same) throw new AuthConfigError(`${OPERATOR_TOKEN_ENV} is ${same.name}'s token from ${OPERATORS_FILE_ENV}; every operator needs a token of their own`);
    operators.push({ name: TOKEN_OPERATOR, digest });
  }
  return operators;
}

/**
 * What a session remembers of the credential it was started with: changing or removing the operator's token changes
 * this, which ends the session. Derived (not the digest itself), so the sessions table holds nothing a token
 * could be checked against.
 */
export function credentialFingerprint(op: Operator): string {
  return createHash('sha256').update('vethwatch-session-credential\0').update(op.name).update('\0').update(op.digest).digest('hex');
}
