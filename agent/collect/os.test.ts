import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectOs, parseOsRelease, systemdVersionFromLibName, systemdVersionFromToolOutput } from './os';

describe('os-release and version parsing', () => {
  it('parses quoted and unquoted values', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME=Debian\n# comment\nX=\'a b\'\nY="say \\"hi\\""\n')).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian',
      X: 'a b',
      Y: 'say "hi"',
    });
  });

  it('reads the systemd version from libsystemd-shared names of several distributions', () => {
    expect(systemdVersionFromLibName('libsystemd-shared-252.so')).toBe(252);
    expect(systemdVersionFromLibName('libsystemd-shared-254.10-1.fc39.so')).toBe(254);
    expect(systemdVersionFromLibName('libsystemd-shared-252.23-3.amzn2023.so')).toBe(252);
    expect(systemdVersionFromLibName('libsystemd-core-252.so')).toBeNull();
  });

  it('reads the version from tool output', () => {
    expect(systemdVersionFromToolOutput('systemd 252 (252.39-1~deb12u2)\n+PAM +AUDIT')).toBe(252);
    expect(systemdVersionFromToolOutput('249\n')).toBe(249);
    expect(systemdVersionFromToolOutput('')).toBeNull();
  });
});

describe('collectOs under --root', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vwt-os-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads files under root and the live kernel', async () => {
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Ubuntu 22.04.1 LTS"\n');
    await mkdir(path.join(root, 'lib/systemd'), { recursive: true });
    await writeFile(path.join(root, 'lib/systemd/libsystemd-shared-249.so'), '');
    expect(await collectOs(root)).toEqual({ prettyName: 'Ubuntu 22.04.1 LTS', kernel: release(), systemdVersion: 249, findings: [] });
  });

  it('finds the multiarch location and falls back to /usr/lib/os-release', async () => {
    await mkdir(path.join(root, 'usr/lib/x86_64-linux-gnu/systemd'), { recursive: true });
    await writeFile(path.join(root, 'usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so'), '');
    await writeFile(path.join(root, 'usr/lib/os-release'), 'NAME="Debian GNU/Linux"\n');
    const os = await collectOs(root);
    expect(os).toMatchObject({ prettyName: 'Debian GNU/Linux', systemdVersion: 252 });
  });

  it('reports what it could not find, without asking the container\'s own tools', async () => {
    const os = await collectOs(root);
    expect(os.prettyName).toBeNull();
    expect(os.systemdVersion).toBeNull();
    expect(os.findings.map((f) => f.code).sort()).toEqual(['os-release-missing', 'systemd-version-unknown']);
  });
});
