// The command line as users meet it: `node --import tsx agent/cli.ts ...` as a child process (help, usage errors,
// the real scan end to end, SIGTERM), plus main() in-process with an injected scan for the stdout contract.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../lib/report/fixtures';
import { reportSchema } from '../lib/report/schema';
import { main } from './cli';
import { FLAGS } from './config';
import { readStoredNode, REPO_ROOT, startRealServer, type RealServer } from './deliver/testing/realServer';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { env?: Record<string, string>; killAfterMs?: number; onStderr?: (s: string) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, VETHWATCH_SERVER: '', VETHWATCH_AGENT_TOKEN: '', NODE_NAME: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      opts.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (opts.killAfterMs) setTimeout(() => child.kill('SIGTERM'), opts.killAfterMs);
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: string; msg: string; time: string; [k: string]: unknown });

describe('agent/cli.ts as a process', () => {
  it('--help documents every flag and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const f of FLAGS) expect(r.stdout).toContain(`--${f.name}`);
    expect(r.stdout).toContain('npm run --silent agent -- --once');
    expect(r.stderr).toBe('');
  });

  it('an unknown flag is a usage error: exit 2, a clear message on stderr, nothing on stdout', async () => {
    const r = await runCli(['--once', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('vethwatch agent: unknown flag --frobnicate (see --help)\n');
  });

  it('hands `remediate` to the remediation CLI', async () => {
    const r = await runCli(['remediate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toLowerCase()).toContain('remediate');
    expect(r.stdout).not.toContain('--spool-dir'); // the remediation help, not ours
  });

  it('--once prints one schema-valid report of this host on stdout and nothing else, exit 0', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'vw-cli-root-'));
    try {
      // The live host, read under / ; and the same with an empty --root to show host files come from there.
      const live = await runCli(['--once', '--node', 'vwt-cli-live']);
      expect(live.code, live.stderr).toBe(0);
      const report = reportSchema.parse(JSON.parse(live.stdout));
      expect(report.node).toBe('vwt-cli-live');
      expect(live.stdout.trim().split('\n')).toHaveLength(1);
      for (const line of jsonLines(live.stderr)) expect(Object.keys(line)).toEqual(expect.arrayContaining(['level', 'msg', 'time']));

      const empty = await runCli(['--once', '--node', 'vwt-cli-empty', '--root', root]);
      expect(empty.code, empty.stderr).toBe(0);
      const bare = reportSchema.parse(JSON.parse(empty.stdout));
      expect(bare.linkPolicy.files).toEqual([]);
      expect(await readdir(root)).toEqual([]); // collection wrote nothing under --root
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('agent/cli.ts against the real server', () => {
  let work: string;
  let server: RealServer;
  const token = `tok-${randomBytes(8).toString('hex')}`;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vw-cli-'));
    server = await startRealServer({ dbPath: path.join(work, 'db.sqlite'), token });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('--once --server --token sends the real scan and exits 0; a wrong token exits 1', async () => {
    const node = `vwt-cli-${randomBytes(3).toString('hex')}`;
    const ok = await runCli(['--once', '--server', server.url.href, '--node', node], { env: { VETHWATCH_AGENT_TOKEN: token } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('');
    expect(readStoredNode(server.dbPath, node).node?.reports_total).toBe(1);

    const bad = await runCli(['--once', '--server', server.url.href, '--token', 'nope', '--node', `${node}-bad`]);
    expect(bad.code).toBe(1);
    expect(jsonLines(bad.stderr).some((l) => l.level === 'error' && l.status === 401)).toBe(true);
    expect(readStoredNode(server.dbPath, `${node}-bad`).node).toBeUndefined();
  });

  it('--token on the command line works but warns that the process list shows it; the environment does not warn', async () => {
    const node = `vwt-cli-warn-${randomBytes(3).toString('hex')}`;
    const send = async (argv: string[], env: Record<string, string>) => {
      const err: string[] = [];
      const code = await main(['--once', '--server', server.url.href, '--node', node, ...argv], {
        scan: async (opts) => buildReport({ node: opts.node, veths: 1 }),
        out: () => undefined,
        err: (t) => err.push(t),
        env,
      });
      return { code, warnings: jsonLines(err.join('')).filter((l) => l.level === 'warn').map((l) => l.msg) };
    };
    const flagged = await send(['--token', token], {});
    expect(flagged.code).toBe(0);
    expect(flagged.warnings).toEqual([expect.stringMatching(/--token is visible .* in the process list .*use VETHWATCH_AGENT_TOKEN or --token-file/)]);
    const quiet = await send([], { VETHWATCH_AGENT_TOKEN: token });
    expect(quiet).toEqual({ code: 0, warnings: [] });
  });

  it('npm start launches the local agent through scripts/local-agent.sh and puts no token on a command line', async () => {
    const start = await readFile(path.join(REPO_ROOT, 'scripts/start.sh'), 'utf8');
    expect(start).toMatch(/^\s*VETHWATCH_SPOOL_DIR=\S+ scripts\/local-agent\.sh "http:\/\/\$HOST:\$PORT" --remediate &$/m);
    expect(start).not.toMatch(/--token/);
    expect(await readFile(path.join(REPO_ROOT, 'scripts/local-agent.sh'), 'utf8')).not.toMatch(/--token/);
  });

  it('the local agent as `npm start` runs it (scripts/local-agent.sh) reports with a token that ps cannot see', async () => {
    const node = `vwt-cli-ps-${randomBytes(3).toString('hex')}`;
    const child = spawn('scripts/local-agent.sh', [server.url.href, '--node', node, '--spool-dir', path.join(work, 'spool-ps'), '--no-watch'], {
      cwd: REPO_ROOT,
      env: { NODE_ENV: 'production', PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', VETHWATCH_AGENT_TOKEN: token },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (c) => {
          stderr += c;
          if (stderr.includes('"msg":"report accepted"')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the agent exited (${code}) before a report was accepted:\n${stderr}`)));
      });
      // What `ps` shows: the agent's argv, from /proc. The script exec'd the agent, so the pid is the agent's.
      const cmdline = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
      expect(cmdline).toEqual(expect.arrayContaining(['agent/cli.ts', '--server', server.url.href]));
      expect(cmdline.join(' ')).not.toContain(token);
      expect(jsonLines(stderr).filter((l) => l.level === 'warn').map((l) => l.msg)).not.toContainEqual(expect.stringContaining('--token'));
      expect(readStoredNode(server.dbPath, node).node?.reports_total).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    }
  });

  it('run mode reports, then stops on SIGTERM with exit 0 and its spool intact', async () => {
    const node = `vwt-cli-run-${randomBytes(3).toString('hex')}`;
    const spoolDir = path.join(work, 'spool-run');
    let sent = false;
    const r = await new Promise<Run>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'agent/cli.ts', '--server', server.url.href, '--token', token, '--node', node, '--spool-dir', spoolDir, '--interval', '1'],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => {
        stderr += c;
        if (!sent && (stderr.match(/"msg":"report accepted"/g) ?? []).length >= 2) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      setTimeout(() => child.kill('SIGKILL'), 30_000);
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = jsonLines(r.stderr);
    expect(lines.some((l) => l.msg === 'agent stopped')).toBe(true);
    expect(readStoredNode(server.dbPath, node).node?.reports_total).toBeGreaterThanOrEqual(2);
    expect(await readdir(spoolDir)).toEqual(expect.arrayContaining(['reports', 'rejected', 'corrupt']));
  });
});

describe('main() in-process', () => {
  it('--once prints exactly the scanned report as one JSON document', async () => {
    const report = buildReport({ node: 'n1', veths: 2 });
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--once'], { scan: async () => report, out: (t) => out.push(t), err: (t) => err.push(t), env: {} });
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0])).toEqual(report);
    expect(out[0].endsWith('}\n')).toBe(true);
  });

  it('a failing scan exits 3 with the error logged, nothing on stdout', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--once'], {
      scan: async () => {
        throw new Error('cannot read /sys');
      },
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
    });
    expect(code).toBe(3);
    expect(out).toEqual([]);
    expect(jsonLines(err.join(''))[0]).toMatchObject({ level: 'error', msg: 'collection failed', error: { message: 'cannot read /sys' } });
  });

  it('lowercases a host name with capitals and says so once in the log; an impossible one is a usage error (exit 2)', async () => {
    const err: string[] = [];
    let seen: string | undefined;
    const code = await main(['--once'], {
      scan: async (opts) => {
        seen = opts.node;
        return buildReport({ node: opts.node });
      },
      out: () => undefined,
      err: (t) => err.push(t),
      env: {},
      host: () => 'Build-Box.Example.COM',
    });
    expect(code).toBe(0);
    expect(seen).toBe('build-box.example.com');
    const notes = jsonLines(err.join('')).filter((l) => String(l.msg).includes('not lowercase'));
    expect(notes).toEqual([expect.objectContaining({ level: 'warn', given: 'Build-Box.Example.COM', node: 'build-box.example.com' })]);

    const badErr: string[] = [];
    const bad = await main(['--once'], { scan: async () => buildReport(), out: () => undefined, err: (t) => badErr.push(t), env: {}, host: () => 'My_Laptop' });
    expect(bad).toBe(2);
    expect(badErr.join('')).toContain('the host name "My_Laptop" is not a valid Kubernetes node name');
  });

  it('passes --root, --node and --interval to the scan', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'vw-cli-opts-'));
    try {
      let seen: unknown;
      await main(['--once', '--root', root, '--node', 'n-7', '--interval', '42'], {
        scan: async (opts) => {
          seen = opts;
          return buildReport();
        },
        out: () => undefined,
        err: () => undefined,
        env: {},
      });
      expect(seen).toEqual({ root, node: 'n-7', intervalSeconds: 42, droppedReports: 0 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
