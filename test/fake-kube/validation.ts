// The subset of kube-apiserver's create-time validation our objects can trip over (ObjectMeta names and labels,
// the Job template rules, core/v1 Event namespace rules), answering with 422 Invalid and field causes as the real
// server does.
import { isValidLabelKey, isValidLabelValue } from './selectors';
import type { StatusCause } from './status';
import type { Obj } from './store';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const invalid = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});
const required = (field: string, detail = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
  field,
});
const notSupported = (field: string, value: unknown, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
  field,
});

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function validateObjectMeta(o: Obj, nameCheck: 'subdomain' | 'label'): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = o.metadata ?? {};
  if (!meta.name) causes.push(required('metadata.name', 'name or generateName is required'));
  else if (nameCheck === 'label' ? !isDns1123Label(meta.name) : !isDns1123Subdomain(meta.name)) {
    causes.push(invalid('metadata.name', meta.name, `a lowercase RFC 1123 ${nameCheck} must consist of lower case alphanumeric characters, '-' or '.'`));
  }
  for (const [k, v] of Object.entries((meta.labels ?? {}) as Record<string, unknown>)) {
    if (!isValidLabelKey(k)) causes.push(invalid('metadata.labels', k, 'name part must consist of alphanumeric characters'));
    if (typeof v !== 'string' || !isValidLabelValue(v)) {
      causes.push(invalid(`metadata.labels`, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (max 63)"));
    }
  }
  for (const [k, v] of Object.entries((meta.annotations ?? {}) as Record<string, unknown>)) {
    if (!isValidLabelKey(k)) causes.push(invalid('metadata.annotations', k, 'name part must consist of alphanumeric characters'));
    if (typeof v !== 'string') causes.push(invalid(`metadata.annotations`, v, 'must be a string'));
  }
  return causes;
}

function validatePodSpec(spec: Obj | undefined, path: string, allowedRestart: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec) return [required(path)];
  if (!allowedRestart.includes(spec.restartPolicy)) causes.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy ?? '', allowedRestart));
  const containers: Obj[] = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const volumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Obj, i: number) => {
    if (!v.name || !isDns1123Label(v.name)) causes.push(invalid(`${path}.volumes[${i}].name`, v.name, 'must be a DNS label'));
    if (volumes.has(v.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${v.name}"`, field: `${path}.volumes[${i}].name` });
    volumes.add(v.name);
    if (v.hostPath && !(typeof v.hostPath.path === 'string' && v.hostPath.path.startsWith('/'))) {
      causes.push(required(`${path}.volumes[${i}].hostPath.path`));
    }
  });
  containers.forEach((c, i) => {
    const cp = `${path}.containers[${i}]`;
    if (!c.name || !isDns1123Label(c.name)) causes.push(invalid(`${cp}.name`, c.name, 'must be a DNS label'));
    if (!c.image) causes.push(required(`${cp}.image`));
    (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: Obj, j: number) => {
      if (!volumes.has(m.name)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: "${m.name}"`, field: `${cp}.volumeMounts[${j}].name` });
      if (m.mountPropagation !== undefined && !['None', 'HostToContainer', 'Bidirectional'].includes(m.mountPropagation)) {
        causes.push(notSupported(`${cp}.volumeMounts[${j}].mountPropagation`, m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None']));
      }
      if (m.mountPropagation === 'Bidirectional' && c.securityContext?.privileged !== true) {
        causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: Bidirectional mount propagation is available only to privileged containers', field: `${cp}.volumeMounts[${j}].mountPropagation` });
      }
    });
    if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
      causes.push(notSupported(`${cp}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
    }
  });
  (Array.isArray(spec.tolerations) ? spec.tolerations : []).forEach((t: Obj, i: number) => {
    if (t.operator === 'Exists' && t.value) causes.push(invalid(`${path}.tolerations[${i}].operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
  });
  return causes;
}

export function validateJob(job: Obj): StatusCause[] {
  const causes = validateObjectMeta(job, 'subdomain');
  // The Job controller copies the name into the job-name label, so it must also be a valid label value.
  if (job.metadata?.name && !isValidLabelValue(job.metadata.name)) {
    causes.push(invalid('metadata.name', job.metadata.name, 'must be no more than 63 characters'));
  }
  const spec = job.spec;
  if (!spec) return [...causes, required('spec')];
  for (const f of ['backoffLimit', 'ttlSecondsAfterFinished', 'parallelism', 'completions'] as const) {
    if (spec[f] !== undefined && !(Number.isInteger(spec[f]) && spec[f] >= 0)) causes.push(invalid(`spec.${f}`, spec[f], 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && !(Number.isInteger(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds > 0)) {
    causes.push(invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  const tmpl = spec.template ?? {};
  for (const [k, v] of Object.entries((tmpl.metadata?.labels ?? {}) as Record<string, unknown>)) {
    if (!isValidLabelKey(k) || typeof v !== 'string' || !isValidLabelValue(v)) causes.push(invalid('spec.template.metadata.labels', v, 'invalid label'));
  }
  causes.push(...validatePodSpec(tmpl.spec, 'spec.template.spec', ['OnFailure', 'Never']));
  return causes;
}

export function validateEvent(ev: Obj, requestNamespace: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!ev.metadata?.name) causes.push(required('metadata.name', 'name or generateName is required'));
  const io = ev.involvedObject ?? {};
  const ns = ev.metadata?.namespace ?? requestNamespace;
  if (!ev.eventTime) {
    if (!io.namespace) {
      if (ns !== '' && ns !== 'default') causes.push(invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    } else if (io.namespace !== ns) causes.push(invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
  } else {
    if (!io.namespace && ns !== 'default' && ns !== 'kube-system') causes.push(invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    if (!ev.reportingComponent) causes.push(required('reportingComponent'));
    if (!ev.reportingInstance) causes.push(required('reportingInstance'));
    if (!ev.action) causes.push(required('action'));
    if (!ev.reason) causes.push(required('reason'));
  }
  if (typeof ev.reason === 'string' && ev.reason.length > 128) causes.push(invalid('reason', '', 'can have at most 128 characters'));
  return causes;
}
