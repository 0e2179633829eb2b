// Lays out an image's final stage the way its Dockerfile says, without a container engine: each COPY of the last
// stage is done into a directory standing for the image's /, from the build context (the repository) or from an
// earlier stage. An earlier stage is modelled as the repository after `npm ci` (its /app) plus what its `npx
// esbuild` RUN lines produce, which are run here exactly as written but with their --outfile inside the stage's
// own scratch directory. What `next build` makes (`.next/`) is reported, not faked, as `missing`; everything else
// of a stage's /app is its `COPY . .` of the build context, so it comes from the repository minus .dockerignore.
// Nothing outside the image directory is reachable from it, so a file the Dockerfile forgets to copy makes the
// program started from there fail as it would in the image.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDockerIgnored, parseDockerfile, readDockerignore, shellWords, type Stage } from './dockerfile';

export interface ImageRoot {
  /** The directory standing for the image's /. */
  root: string;
  /** The final stage's WORKDIR, as an absolute image path. */
  workdir: string;
  /** ENTRYPOINT of the final stage, as an exec-form array. */
  entrypoint: string[];
  /** Image paths that come from a build step not run here (`next build`), with the instruction copying them. */
  missing: string[];
  /** Maps an image path to its place under root. */
  at(imagePath: string): string;
}

const STAGE_DIR = '/app';

/** Runs a stage's `npx esbuild` lines as written, with each --outfile under `outDir`; returns stage path -> file. */
function runEsbuild(stage: Stage, repo: string, outDir: string): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN' || !ins.args.startsWith('npx esbuild ')) continue;
    const words = shellWords(ins.args).slice(2);
    const outfile = words.find((w) => w.startsWith('--outfile='))?.slice('--outfile='.length);
    if (!outfile) throw new Error(`${stage.name}: esbuild without --outfile`);
    const target = path.join(outDir, outfile);
    const args = words.map((w) => (w.startsWith('--outfile=') ? `--outfile=${target}` : w));
    const r = spawnSync(path.join(repo, 'node_modules/.bin/esbuild'), args, { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${stage.name}: esbuild failed: ${r.stderr}`);
    outputs.set(path.posix.join(STAGE_DIR, outfile), target);
  }
  return outputs;
}

function copyInto(src: string, dest: string, keep: (file: string) => boolean = () => true): void {
  const st = fs.statSync(src);
  if (st.isDirectory()) fs.cpSync(src, dest, { recursive: true, dereference: true, filter: keep });
  else {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(src, dest);
  }
}

export function buildImageRoot(dockerfile: string, repo: string, dir: string): ImageRoot {
  const { stages } = parseDockerfile(dockerfile);
  const final = stages[stages.length - 1];
  const root = path.join(dir, 'rootfs');
  fs.mkdirSync(root, { recursive: true });
  const at = (imagePath: string) => path.join(root, imagePath);
  const stageOutputs = new Map<string, Map<string, string>>();
  const missing: string[] = [];
  const dockerignore = path.join(repo, '.dockerignore');
  const ignored = fs.existsSync(dockerignore) ? readDockerignore(dockerignore) : [];

  let workdir = '/';
  let entrypoint: string[] = [];
  for (const ins of final.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, ins.args);
    if (ins.keyword === 'ENTRYPOINT') entrypoint = JSON.parse(ins.args) as string[];
    if (ins.keyword !== 'COPY') continue;
    const words = shellWords(ins.args);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const [src, dest] = words.filter((w) => !w.startsWith('--'));
    const destPath = path.posix.resolve(workdir, dest);
    if (!from) {
      copyInto(path.join(repo, src), destPath.endsWith('/') || dest.endsWith('/') ? path.join(at(destPath), path.basename(src)) : at(destPath));
      continue;
    }
    const stage = stages.find((s) => s.name === from);
    if (!stage) throw new Error(`COPY --from=${from}: no such stage`);
    if (!stageOutputs.has(from)) stageOutputs.set(from, runEsbuild(stage, repo, path.join(dir, `stage-${from}`)));
    const built = stageOutputs.get(from)!.get(src);
    if (built) {
      copyInto(built, at(destPath));
      continue;
    }
    const made = stage.instructions.some((i) => i.keyword === 'RUN' && /\bnext build\b/.test(i.args)) && /^\/app\/\.next(\/|$)/.test(src);
    if (made) {
      missing.push(`${src} (COPY ${ins.args})`);
      continue;
    }
    if (!src.startsWith(`${STAGE_DIR}/`)) throw new Error(`COPY --from=${from} ${src}: only ${STAGE_DIR} of a build stage is modelled`);
    const rel = src.slice(STAGE_DIR.length + 1);
    const inRepo = path.join(repo, rel);
    // node_modules is the stage's `npm ci` (this checkout's install stands for it); the rest came in with the context.
    const installed = /^node_modules(\/|$)/.test(rel) && stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    const keep = (file: string) => installed || !isDockerIgnored(ignored, path.relative(repo, file));
    if (!fs.existsSync(inRepo) || !keep(inRepo)) throw new Error(`COPY --from=${from} ${src}: not in stage ${from}`);
    copyInto(inRepo, at(destPath), keep);
  }
  return { root, workdir, entrypoint, missing, at };
}
