// The bearer token for each send. A --token-file is read again before every send: in a cluster it is the pod's
// projected ServiceAccount token, which the kubelet replaces (at 80% of its hour-long life) and which the API
// server stops accepting once expired, so a token read once at start would lock the agent out after an hour.
import { readFileSync } from 'node:fs';

export type TokenSource = () => string;

/** A file whose trimmed content is the token. A failed or empty read keeps the last good token (a rotation in progress). */
export function tokenFromFile(file: string, initial: string | null = null): TokenSource {
  let last = initial;
  return () => {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token) last = token;
    } catch {
      // keep the last token; the server's 401 will say if it is no longer good
    }
    if (last === null) throw new Error(`--token-file ${file}: no token could be read`);
    return last;
  };
}
