// Kubernetes name and label-value rules, and the deterministic shortening vethwatch uses when a value (a long node
// name, a request id) does not fit: keep a readable prefix and add a hash of the whole, so distinct inputs stay
// distinct and the same input always maps to the same value.
import { createHash } from 'node:crypto';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isValidLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

export function shortHash(input: string, hexChars = 10): string {
  return createHash('sha256').update(input).digest('hex').slice(0, hexChars);
}

/**
 * A valid label value for any string: the string itself when it already is one, else its cleaned prefix plus
 * "-" and a 10-hex-digit hash of the original (at most 63 characters).
 */
export function toLabelValue(input: string): string {
  if (isValidLabelValue(input)) return input;
  const cleaned = input.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 52).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  const hash = shortHash(input);
  return cleaned ? `${cleaned}-${hash}` : hash;
}
