// The one place query keys are spelled. Server prefetch, client hooks and (later) the SSE stream that pushes
// updates into the cache all build keys here, so a key can never drift between them.
// Keys are hierarchical: invalidating nodeKeys.all refreshes the fleet and every node page.
export const nodeKeys = {
  all: ['nodes'] as const,
  fleet: () => [...nodeKeys.all, 'fleet'] as const,
  detail: (name: string) => [...nodeKeys.all, 'detail', name] as const,
};
