// Module resolve hook for the plain-Node custom server. `server-only` is a build-time marker: Next's bundler
// resolves it to an empty module for server code, but plain Node picks its throwing default export. Map it to
// an empty module here, as vitest's alias does for tests.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'server-only') {
    return { url: 'data:text/javascript,export%20%7B%7D', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
