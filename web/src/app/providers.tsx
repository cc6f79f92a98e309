'use client';
import { MutationCache, QueryCache, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api-client';
import { AppQueryClient } from '@/lib/query-client';

function shouldRetry(failureCount: number, error: unknown): boolean {
  // A 4xx answer will not change on retry; only transient faults are worth a second try.
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(() => {
    // A session that ends mid-use (expiry, logout elsewhere) sends every page back to sign-in:
    // refreshing `me` lets the app shell see `authenticated: false` and redirect.
    const onError = (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) {
        void client.invalidateQueries({ queryKey: ['me'] });
      }
    };
    const client: AppQueryClient = new AppQueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: false },
        mutations: { retry: false },
      },
    });
    return client;
  });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
