// For tests only: takes a snippet apart with the real tools its provisioner uses (Python's email parser for MIME
// user data, the yaml package for Kubernetes objects, sh for shell parts, cloud-init's own write_files, ansible)
// and applies its file-writing part under a temporary root, the way the provisioner would on a node.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { ROOT_VARIABLE } from '../snippets';

const exec = promisify(execFile);

export interface MimePartParsed {
  contentType: string;
  body: string;
}

const PARSE_MIME_PY = `
import email, json, sys
msg = email.message_from_string(sys.stdin.read())
if not msg.is_multipart():
    raise SystemExit("not multipart: " + msg.get_content_type())
out = [{"contentType": p.get_content_type(), "charset": p.get_content_charset(), "body": p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")} for p in msg.walk() if not p.is_multipart()]
print(json.dumps({"type": msg.get_content_type(), "defects": [str(d) for d in msg.defects], "parts": out}))
`;

/** Parsed by CPython's `email` package, as cloud-init itself parses multi-part user data. */
export async function parseMime(text: string): Promise<{ type: string; defects: string[]; parts: MimePartParsed[] }> {
  const child = execFile('python3', ['-c', PARSE_MIME_PY], { maxBuffer: 1 << 20 });
  const done = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 email parser: ${err}`))));
  });
  child.stdin!.end(text);
  return JSON.parse(await done);
}

/** Runs a shell part with its root variable pointing at `root` (never as the live system). */
export async function runShellPart(body: string, root: string): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(root, '..', `part-${process.pid}-${Date.now()}.sh`);
  writeFileSync(file, body, { mode: 0o700 });
  return exec('sh', [file], { env: { ...process.env, [ROOT_VARIABLE]: root }, timeout: 30_000 });
}

export function parseYaml(text: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return doc.toJS();
}

/** Writes `content` at an absolute node path under `root`, as a provisioner's file-asset step would. */
export function writeUnder(root: string, nodePath: string, content: string): void {
  if (!path.isAbsolute(nodePath) || nodePath.split('/').includes('..')) throw new Error(`not a clean absolute path: ${nodePath}`);
  const dest = path.join(root, nodePath);
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(dest, content, { mode: 0o644 });
}

const WRITE_FILES_PY = `
import json, sys
from cloudinit.config.cc_write_files import write_files
cfg = json.loads(sys.argv[1])
root = sys.argv[2]
files = [dict(f, path=root + f["path"]) for f in cfg["write_files"]]
write_files("write_files", files, "root:root")
`;

/** cloud-init's own write_files module (cloudinit.config.cc_write_files), with every path under `root`. */
export async function cloudInitWriteFiles(config: unknown, root: string): Promise<void> {
  await exec('/usr/bin/python3', ['-c', WRITE_FILES_PY, JSON.stringify(config), root], { timeout: 60_000 });
}
