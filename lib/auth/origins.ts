// The origins a browser may send state-changing requests from: the addresses the custom server listens on (set by
// the server once it listens) and VETHWATCH_PUBLIC_URL. Never "whatever the Host header says": a foreign Host with
// a matching Origin is DNS rebinding. Kept on globalThis because the custom server and Next's bundles are separate
// module graphs in one process.
export const PUBLIC_URL_ENV = 'VETHWATCH_PUBLIC_URL';

const KEY = Symbol.for('vethwatch.listenOrigins');
type WithOrigins = typeof globalThis & { [KEY]?: string[] };

/** Called by the server after it listens, with e.g. `http://127.0.0.1:3000`. */
export function setListenOrigins(origins: string[]): void {
  (globalThis as WithOrigins)[KEY] = origins.map((o) => new URL(o).origin);
}

export function listenOrigins(): string[] {
  return (globalThis as WithOrigins)[KEY] ?? [];
}
