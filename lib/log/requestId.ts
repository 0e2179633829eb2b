import 'server-only';
// One id per request, so every log line about a request can be found from the id the client or proxy saw.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// A proxy's or client's id is honoured only when it is short and plain: it goes into logs and a response header.
const VALID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isValidRequestId(value: string): boolean {
  return VALID.test(value);
}

/** The incoming X-Request-Id when it is valid, else a new UUID. */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && isValidRequestId(value) ? value : randomUUID();
}
