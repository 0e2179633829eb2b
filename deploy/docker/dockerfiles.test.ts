import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stopChild } from '@/test/support/serverProcess';
import { isDockerIgnored, parseDockerfile, readDockerignore, shellWords, type Stage } from '../tools/dockerfile';
import { buildImageRoot } from '../tools/imageRoot';
import { kustomize } from '../tools/render';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const server = parseDockerfile(path.join(repo, 'deploy/docker/server.Dockerfile'));
const agent = parseDockerfile(path.join(repo, 'deploy/docker/agent.Dockerfile'));
const ignore = readDockerignore(path.join(repo, '.dockerignore'));
const manifests = kustomize(path.join(repo, 'deploy'));
// Outside the repository, with no node_modules above it: what the image does not hold cannot be found.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-image-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const all = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = <T>(xs: T[]) => xs[xs.length - 1];

function nodeMajor(image: string): number | null {
  const m = /^node:(\d+)(?:[.-]|$)/.exec(image);
  return m ? Number(m[1]) : null;
}

// The one supported runtime: .nvmrc names its major, and engines, CI and both images agree with it.
const SUPPORTED_NODE_MAJOR = Number(fs.readFileSync(path.join(repo, '.nvmrc'), 'utf8').trim());

function checkBaseImages(df: ReturnType<typeof parseDockerfile>) {
  const names = new Set<string>();
  for (const s of df.stages) {
    if (!names.has(s.from)) expect(nodeMajor(s.from), `${s.name} FROM ${s.from}`).toBe(SUPPORTED_NODE_MAJOR);
    names.add(s.name);
  }
}

/** Every COPY from the build context names a file that exists and that .dockerignore lets through. */
function checkContextCopies(df: ReturnType<typeof parseDockerfile>) {
  for (const s of df.stages) {
    for (const args of all(s, 'COPY')) {
      if (/--from=/.test(args)) continue;
      const words = shellWords(args).filter((w) => !w.startsWith('--'));
      for (const src of words.slice(0, -1)) {
        const rel = src.replace(/^\.\//, '');
        if (rel === '.') continue;
        expect(fs.existsSync(path.join(repo, rel)), `COPY ${src}`).toBe(true);
        expect(isDockerIgnored(ignore, rel), `COPY ${src} is excluded by .dockerignore`).toBe(false);
      }
    }
  }
}

describe('server.Dockerfile', () => {
  const runtime = last(server.stages);

  it('is multi-stage on the supported Node.js, with no compiler anywhere (better-sqlite3 ships its binaries)', () => {
    expect(server.stages.map((s) => s.name)).toEqual(['deps', 'build', 'runtime']);
    expect(server.globalArgs.NODE_IMAGE).toBe(`node:${SUPPORTED_NODE_MAJOR}-bookworm-slim`);
    checkBaseImages(server);
    for (const stage of server.stages) expect(all(stage, 'RUN').join(' '), stage.name).not.toMatch(/g\+\+|build-essential/);
    expect(all(runtime, 'RUN').join(' ')).not.toMatch(/apt-get|g\+\+|npm (ci|install)/);
  });

  it('runs as a non-root user', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = last(users).split(':')[0];
    expect(user).not.toBe('0');
    expect(user).not.toBe('root');
    const deployment = manifests.find((m) => m.kind === 'Deployment')!;
    expect(Number(user)).toBe(deployment.spec.template.spec.securityContext.runAsUser);
    // USER comes after the last RUN, so nothing later runs as root by accident.
    const idx = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    expect(runtime.instructions.slice(idx).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('ships the standalone output, static assets and the bundled custom server', () => {
    const copies = all(runtime, 'COPY');
    for (const src of ['/app/.next/standalone ./', '/app/.next/static ./.next/static', '/app/public ./public', '/app/dist/server.mjs ./dist/server.mjs']) {
      expect(copies.some((c) => c.startsWith('--from=build') && c.endsWith(src)), src).toBe(true);
    }
    expect(copies).toContain('--from=deps /app/node_modules/better-sqlite3 ./node_modules/better-sqlite3');
    expect(all(server.stages[1], 'RUN').some((r) => r.includes('next build'))).toBe(true);
    expect(last(all(runtime, 'ENTRYPOINT'))).toBe('["node", "--max-semi-space-size=16", "server-entry.mjs"]');
    expect(all(runtime, 'EXPOSE')).toEqual(['3000 3001']);
    const deployment = manifests.find((m) => m.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([3000, 3001]);
    expect(deployment.spec.template.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain('/app/.next/cache');
    checkContextCopies(server);
  });

  it('its image, laid out as the Dockerfile says, starts the server (API only): health, readiness, the read API', async () => {
    const image = buildImageRoot(path.join(repo, 'deploy/docker/server.Dockerfile'), repo, path.join(scratch, 'server'));
    // Only what `next build` makes is not laid out here; the API-only server must not need it.
    expect(image.missing.map((m) => m.split(' ')[0])).toEqual(['/app/.next/standalone', '/app/.next/static']);
    expect(image.entrypoint).toEqual(['node', '--max-semi-space-size=16', 'server-entry.mjs']);
    // `server-only` must have been resolved to its empty module, not its throwing default.
    expect(fs.readFileSync(image.at('/app/dist/server.mjs'), 'utf8')).not.toContain('This module cannot be imported from a Client Component module');
    const data = path.join(scratch, 'server-data');
    fs.mkdirSync(data);
    // The ENTRYPOINT, run by this machine's node from the image's WORKDIR.
    const child = spawn(process.execPath, image.entrypoint.slice(1), {
      cwd: image.at(image.workdir),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: data, HOST: '127.0.0.1', PORT: '0', VETHWATCH_NEXT: '0', VETHWATCH_DB: path.join(data, 'db.sqlite'), VETHWATCH_KUBE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (b: Buffer) => {
        output += b.toString();
        const m = /vethwatch listening on (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
    });
    try {
      for (const p of ['/healthz', '/readyz', '/api/v1/nodes']) {
        const res = await fetch(`${url}${p}`);
        expect(res.status, `${p}: ${await res.text()}`).toBe(200);
      }
      // public/ ships in the image: the API description and robots.txt, served from the image's own files.
      const spec = await fetch(`${url}/openapi.json`);
      expect(spec.status).toBe(200);
      expect(spec.headers.get('content-type')).toBe('application/json');
      expect(await spec.text()).toBe(fs.readFileSync(image.at('/app/public/openapi.json'), 'utf8'));
      expect(fs.readFileSync(image.at('/app/public/openapi.json'), 'utf8')).toBe(fs.readFileSync(path.join(repo, 'public/openapi.json'), 'utf8'));
      const robots = await fetch(`${url}/robots.txt`);
      expect(robots.status).toBe(200);
      expect(await robots.text()).toBe(fs.readFileSync(path.join(repo, 'public/robots.txt'), 'utf8'));
    } finally {
      await stopChild(child);
    }
  }, 60_000);
});

describe('agent.Dockerfile', () => {
  const runtime = last(agent.stages);

  it('is multi-stage on the supported Node.js with iproute2, udev and nsenter in the runtime image', () => {
    expect(agent.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    checkBaseImages(agent);
    const install = all(runtime, 'RUN').find((r) => r.includes('apt-get install'))!;
    const packages = shellWords(install.split('apt-get install')[1].split('&&')[0]).filter((w) => !w.startsWith('-'));
    expect(packages).toEqual(expect.arrayContaining(['iproute2', 'udev', 'util-linux']));
    expect(install).toContain('rm -rf /var/lib/apt/lists/*');
    expect(all(runtime, 'COPY')).toEqual(['--from=build /app/dist/agent.mjs ./agent.mjs']);
    expect(last(all(runtime, 'ENTRYPOINT'))).toBe('["node", "--max-semi-space-size=1", "--lite-mode", "/app/agent.mjs"]');
    checkContextCopies(agent);
  });

  it('its image, laid out as the Dockerfile says, runs the agent CLI and its remediate command', () => {
    const image = buildImageRoot(path.join(repo, 'deploy/docker/agent.Dockerfile'), repo, path.join(scratch, 'agent'));
    expect(image.missing).toEqual([]);
    expect(fs.readdirSync(image.root, { recursive: true }).sort()).toEqual(['app', 'app/agent.mjs']);
    const [cmd, ...args] = image.entrypoint;
    expect(cmd).toBe('node');
    const entry = args.map((a) => (a.startsWith('/') ? image.at(a) : a));
    const run = (extra: string[]) => spawnSync(process.execPath, [...entry, ...extra], { cwd: image.at(image.workdir), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } });
    const help = run(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('vethwatch agent');
    const remediate = run(['remediate', '--help']);
    expect(remediate.status, remediate.stderr).toBe(0);
    expect(remediate.stdout).toContain('--plan-id');
    // The flags the DaemonSet and the remediation Job pass are ones the CLI knows.
    const ds = manifests.find((m) => m.kind === 'DaemonSet')!;
    for (const flag of ds.spec.template.spec.containers[0].args.filter((a: string) => a.startsWith('--'))) expect(help.stdout).toContain(flag);
    for (const flag of ['--plan-id', '--root', '--node']) expect(remediate.stdout).toContain(flag);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, builds, databases and secrets out of the build context', () => {
    for (const p of ['node_modules', 'node_modules/next/package.json', '.next', '.git', 'data/vethwatch.db', 'x.db', '.env', '.env.local', '.tmp', 'test-results']) {
      expect(isDockerIgnored(ignore, p), p).toBe(true);
    }
    for (const p of ['package.json', 'package-lock.json', 'server/run.ts', 'agent/cli.ts', 'lib/report/schema.ts', 'app/page.tsx', 'deploy/docker/server-entry.mjs', 'next.config.ts']) {
      expect(isDockerIgnored(ignore, p), p).toBe(false);
    }
  });
});
