import { describe, expect, it } from 'vitest';
import { buildRemediationJob, InvalidJobOptionsError, remediationJobName } from './remediationJob';
import { isDns1123Label, isValidLabelValue, toLabelValue } from './names';

const base = {
  node: 'ip-10-0-12-34.eu-west-1.compute.internal',
  requestId: 'req-7f3a',
  planId: 'plan-91c2',
  namespace: 'vethwatch',
  image: 'ghcr.io/vethwatch/agent:0.1.0',
};

describe('buildRemediationJob', () => {
  const job = buildRemediationJob(base);
  const pod = job.spec!.template.spec!;
  const c = pod.containers[0];

  it('is a batch/v1 Job with a deterministic DNS-1123 name', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata!.name).toBe(remediationJobName(base.node, base.requestId));
    expect(job.metadata!.name).toMatch(/^vethwatch-remediate-[0-9a-f]{12}$/);
    expect(isDns1123Label(job.metadata!.name!)).toBe(true);
    expect(job.metadata!.namespace).toBe('vethwatch');
    expect(remediationJobName(base.node, 'req-other')).not.toBe(job.metadata!.name);
    expect(remediationJobName('other-node', base.requestId)).not.toBe(job.metadata!.name);
  });

  it('runs once, with a deadline and a TTL', () => {
    expect(job.spec!.backoffLimit).toBe(0);
    expect(job.spec!.completions).toBe(1);
    expect(job.spec!.parallelism).toBe(1);
    expect(job.spec!.activeDeadlineSeconds).toBe(300);
    expect(job.spec!.ttlSecondsAfterFinished).toBe(3600);
    const custom = buildRemediationJob({ ...base, activeDeadlineSeconds: 60, ttlSecondsAfterFinished: 0 });
    expect(custom.spec!.activeDeadlineSeconds).toBe(60);
    expect(custom.spec!.ttlSecondsAfterFinished).toBe(0);
  });

  it('labels Job and pod for selection, with the exact values in annotations', () => {
    const labels = {
      'app.kubernetes.io/name': 'vethwatch',
      'app.kubernetes.io/component': 'remediation',
      'vethwatch.io/node': base.node,
      'vethwatch.io/request': base.requestId,
    };
    expect(job.metadata!.labels).toEqual(labels);
    expect(job.spec!.template.metadata!.labels).toEqual(labels);
    expect(job.metadata!.annotations).toEqual({ 'vethwatch.io/node': base.node, 'vethwatch.io/request': base.requestId, 'vethwatch.io/plan': base.planId });
  });

  it('pins the pod to the node in the host namespaces, tolerating every taint', () => {
    expect(pod.nodeName).toBe(base.node);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.serviceAccountName).toBe('vethwatch-agent');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
  });

  it('runs the agent CLI privileged, with limits and the log as fallback termination message', () => {
    expect(pod.containers).toHaveLength(1);
    expect(c.name).toBe('remediate');
    expect(c.image).toBe(base.image);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['remediate', '--plan-id', 'plan-91c2', '--root', '/host', '--node', base.node]);
    expect(c.securityContext).toEqual({ privileged: true, runAsUser: 0, readOnlyRootFilesystem: true });
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  it('sets only the environment udevadm needs to act from a hostPID container', () => {
    expect(c.env).toEqual([{ name: 'SYSTEMD_IGNORE_CHROOT', value: '1' }]);
    const withEnv = buildRemediationJob({ ...base, env: { VETHWATCH_LOG_LEVEL: 'debug' } });
    expect(withEnv.spec!.template.spec!.containers[0].env).toEqual([
      { name: 'SYSTEMD_IGNORE_CHROOT', value: '1' },
      { name: 'VETHWATCH_LOG_LEVEL', value: 'debug' },
    ]);
  });

  it('mounts exactly the host paths it needs, writable only where it writes', () => {
    const volumes = Object.fromEntries(pod.volumes!.map((v) => [v.name, v]));
    const mounts = c.volumeMounts!.map((m) => ({
      mountPath: m.mountPath,
      hostPath: volumes[m.name].hostPath?.path ?? null,
      type: volumes[m.name].hostPath?.type ?? null,
      readOnly: m.readOnly ?? false,
      propagation: m.mountPropagation ?? null,
    }));
    expect(mounts).toEqual([
      { mountPath: '/host', hostPath: '/', type: 'Directory', readOnly: true, propagation: 'HostToContainer' },
      { mountPath: '/host/etc/systemd/network', hostPath: '/etc/systemd/network', type: 'DirectoryOrCreate', readOnly: false, propagation: null },
      { mountPath: '/var/run/netns', hostPath: '/var/run/netns', type: 'DirectoryOrCreate', readOnly: true, propagation: 'HostToContainer' },
      { mountPath: '/tmp', hostPath: null, type: null, readOnly: false, propagation: null },
    ]);
    expect(volumes.tmp.emptyDir).toEqual({ sizeLimit: '64Mi' });
    // Every mount refers to a declared volume, and each volume is used.
    expect(new Set(c.volumeMounts!.map((m) => m.name))).toEqual(new Set(Object.keys(volumes)));
    expect(pod.volumes).toHaveLength(4);
  });

  it('keeps label values valid for long or odd node names and request ids', () => {
    const longNode = `${'a'.repeat(60)}.${'b'.repeat(60)}.compute.internal`;
    const j = buildRemediationJob({ ...base, node: longNode, requestId: 'Req:2025-01-01T00:00:00Z/abc'.replace('/', '_') });
    const labels = j.metadata!.labels!;
    expect(isValidLabelValue(labels['vethwatch.io/node'])).toBe(true);
    expect(labels['vethwatch.io/node'].length).toBeLessThanOrEqual(63);
    expect(labels['vethwatch.io/node']).toBe(toLabelValue(longNode));
    expect(toLabelValue(`${'a'.repeat(60)}.${'b'.repeat(60)}.other`)).not.toBe(labels['vethwatch.io/node']);
    expect(isValidLabelValue(labels['vethwatch.io/request'])).toBe(true);
    expect(labels['vethwatch.io/request']).toMatch(/^Req-2025-01-01T00-00-00Z_abc-[0-9a-f]{10}$/);
    expect(j.metadata!.annotations!['vethwatch.io/node']).toBe(longNode);
    expect(j.spec!.template.spec!.nodeName).toBe(longNode);
  });

  it('refuses bad input with a clear error', () => {
    const bad: Array<[Partial<typeof base> & Record<string, unknown>, RegExp]> = [
      [{ node: 'Bad_Node' }, /node must be/],
      [{ node: '' }, /node must be/],
      [{ requestId: '' }, /requestId/],
      [{ planId: 'plan with spaces' }, /planId/],
      [{ namespace: 'Vethwatch' }, /namespace/],
      [{ image: '' }, /image/],
      [{ activeDeadlineSeconds: 0 }, /activeDeadlineSeconds/],
      [{ ttlSecondsAfterFinished: -1 }, /ttlSecondsAfterFinished/],
      [{ imagePullPolicy: 'Sometimes' }, /imagePullPolicy/],
      [{ env: { SYSTEMD_IGNORE_CHROOT: '0' } }, /set by the Job itself/],
      [{ env: { '1BAD': 'x' } }, /not a valid environment variable name/],
    ];
    for (const [over, re] of bad) {
      expect(() => buildRemediationJob({ ...base, ...over } as never), JSON.stringify(over)).toThrow(InvalidJobOptionsError);
      expect(() => buildRemediationJob({ ...base, ...over } as never)).toThrow(re);
    }
  });
});

describe('toLabelValue', () => {
  it('keeps valid values and shortens others deterministically', () => {
    expect(toLabelValue('node-1')).toBe('node-1');
    expect(toLabelValue('-x-')).toMatch(/^x-[0-9a-f]{10}$/);
    expect(toLabelValue('///')).toMatch(/^[0-9a-f]{10}$/);
    expect(toLabelValue('a'.repeat(64))).toBe(toLabelValue('a'.repeat(64)));
    expect(toLabelValue('a'.repeat(64))).not.toBe(toLabelValue('a'.repeat(65)));
    for (const s of ['a'.repeat(200), 'x/y:z', '', '...a...', 'ÄÖÜ-node']) expect(isValidLabelValue(toLabelValue(s)), s).toBe(true);
  });
});
