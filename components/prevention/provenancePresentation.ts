// How each provenance is shown, next to the node state tables in components/ui/tones.ts.
import type { Provenance } from '../../lib/prevention/provenance';
import type { VerificationResult } from '../../lib/prevention/verification';
import type { Presentation } from '../ui/tones';

export const provenancePresentation: Record<Provenance, Presentation> = {
  provisioned: { label: 'Protected from first boot', shape: 'check', tone: 'ok' },
  remediated: { label: 'Remediated later', shape: 'info', tone: 'info' },
  unprotected: { label: 'Not protected at provisioning', shape: 'warn', tone: 'warn' },
  unknown: { label: 'Provisioning unknown', shape: 'unknown', tone: 'unknown' },
};

export const verificationPresentation: Record<VerificationResult, Presentation> = {
  kept: { label: 'MACs kept', shape: 'check', tone: 'ok' },
  rewritten: { label: 'MAC rewritten', shape: 'bad', tone: 'bad' },
  inconclusive: { label: 'Inconclusive', shape: 'unknown', tone: 'unknown' },
};
