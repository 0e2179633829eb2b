import 'server-only';
// Without a cluster, the same agent command runs on this host: `agent remediate --plan-id <id> --node <node>`.
// Its stdout is the JSON result (the termination message of the Job path), its stderr the log; both are stored.
import { spawn } from 'node:child_process';
import { failureReason, finishRemediation, parseAgentOutput, tail } from './finish';
import type { RemediationDeps } from './deps';
import type { RemediationRecord } from './types';

const STDOUT_LIMIT = 1024 * 1024;

export function localCommand(deps: RemediationDeps, record: Pick<RemediationRecord, 'planId' | 'node'>): string[] {
  return [...deps.config.agentCommand, 'remediate', '--plan-id', record.planId, '--node', record.node];
}

export async function runLocal(deps: RemediationDeps, record: RemediationRecord): Promise<void> {
  const argv = localCommand(deps, record);
  const startedAt = new Date().toISOString();
  await deps.store.remediations.update(
    record.id,
    { status: 'running', startedAt, progress: { phase: 'running', message: argv.slice(3).join(' '), updatedAt: startedAt } },
    ['pending'],
  );
  const { code, signal, stdout, stderr, spawnError } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    spawnError: string | null;
  }>((resolve) => {
    let out = '';
    let err = '';
    const child = spawn(argv[0], argv.slice(1), {
      cwd: deps.config.agentCwd,
      env: { ...process.env, NODE_NAME: record.node },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), deps.config.runTimeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      if (out.length < STDOUT_LIMIT) out += b.toString('utf8');
    });
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-2 * 64 * 1024);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout: out, stderr: err, spawnError: e.message });
    });
    child.on('close', (c, s) => {
      clearTimeout(timer);
      resolve({ code: c, signal: s, stdout: out, stderr: err, spawnError: null });
    });
  });
  const parsed = parseAgentOutput(stdout);
  const succeeded = code === 0;
  const fallback = spawnError
    ? `could not start the agent: ${spawnError}`
    : signal
      ? `the agent was killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${Math.round(deps.config.runTimeoutMs / 1000)} s?)` : ''}`
      : `the agent exited with status ${code}`;
  await finishRemediation(deps, record, {
    succeeded,
    evidence: {
      podName: 'local',
      exitCode: code,
      terminationReason: spawnError ? 'SpawnError' : signal ? `Signal ${signal}` : code === 0 ? 'Completed' : 'Error',
      terminationMessage: tail(stdout.trim() || null),
      log: tail(stderr || null),
      logError: spawnError,
      result: parsed.result,
      collectedAt: new Date().toISOString(),
    },
    error: succeeded ? null : failureReason(parsed, fallback),
    phase: 'exited',
  });
}
