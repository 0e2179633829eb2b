// `npm run agent -- verify ...`: runs the watch, prints the document, posts it when a server is given.
import { post, PostError } from '../deliver/post';
import { UsageError, type Env } from '../config';
import { VERIFICATION_PATH } from '../../lib/prevention/verification';
import { parseVerifyArgs, VERIFY_HELP } from './args';
import { watchVerify } from './watch';

export interface VerifyCliDeps {
  env?: Env;
  host?: () => string;
  out?: (text: string) => void;
  err?: (text: string) => void;
  signal?: AbortSignal;
}

export async function runVerify(argv: string[], deps: VerifyCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  let config;
  try {
    config = parseVerifyArgs(argv, deps.env ?? process.env, deps.host);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`vethwatch agent verify: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (config === 'help') {
    out(VERIFY_HELP);
    return 0;
  }
  let signal = deps.signal;
  if (!signal) {
    const controller = new AbortController();
    // Stop probing on a signal but still report what was seen.
    process.once('SIGTERM', () => controller.abort());
    process.once('SIGINT', () => controller.abort());
    signal = controller.signal;
  }
  const doc = await watchVerify({
    node: config.node,
    durationSeconds: config.durationSeconds,
    everySeconds: config.everySeconds,
    signal,
    onProbe: (p) => err(JSON.stringify({ level: 'info', msg: p.kept ? 'probe: MAC kept' : p.error ? 'probe failed' : 'probe: MAC REWRITTEN', ...p }) + '\n'),
  });
  out(JSON.stringify(doc) + '\n');
  if (config.server) {
    const url = new URL(VERIFICATION_PATH, config.server);
    try {
      const answer = await post(url, { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' }, JSON.stringify(doc), config.timeoutMs);
      if (answer.status !== 200) {
        err(JSON.stringify({ level: 'error', msg: 'the server refused the verification', status: answer.status, answer: answer.text.slice(0, 2000) }) + '\n');
        return 1;
      }
    } catch (e) {
      err(JSON.stringify({ level: 'error', msg: 'could not send the verification', error: e instanceof PostError ? e.message : String(e) }) + '\n');
      return 3;
    }
  }
  return doc.result === 'kept' ? 0 : 1;
}
