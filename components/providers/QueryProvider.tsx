'use client';
import { QueryClientProvider } from '@tanstack/react-query';
import { getQueryClient } from '../../lib/queries/client';

/** Gives client components the browser's single QueryClient (see lib/queries/client). */
export function QueryProvider({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
