// Vitest runs server modules directly; `server-only` would throw outside a React Server Components build.
export {};
