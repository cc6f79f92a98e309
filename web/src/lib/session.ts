'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AppLocale } from '@/i18n/config';
import { api } from './api-client';

export const sessionKeys = {
  me: ['me'] as const,
  projects: ['projects'] as const,
  health: ['health'] as const,
};

/** Where a signed-in user lands: Today when a project is active, Search until one is. */
export const landingPath = (activeProjectId: string | null | undefined) =>
  activeProjectId ? '/today' : '/search';

export function useMe() {
  return useQuery({ queryKey: sessionKeys.me, queryFn: () => api.auth.me(), staleTime: 60_000 });
}

/**
 * Saves the user's own preferences. The answer is the new `me`, put straight into the cache: the
 * app shell sees the new locale there and switches the language without refetching anything.
 */
export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { locale: AppLocale | null }) => api.auth.updateMe(input),
    onSuccess: (me) => queryClient.setQueryData(sessionKeys.me, me),
  });
}

export function useProjects(enabled = true) {
  return useQuery({ queryKey: sessionKeys.projects, queryFn: () => api.projects.list(), enabled });
}

export function useHealth() {
  return useQuery({
    queryKey: sessionKeys.health,
    queryFn: () => api.health(),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** True when the server says it runs the bundled demo (either endpoint may carry the flag). */
export function useDemoMode(): boolean {
  const me = useMe();
  const health = useHealth();
  return Boolean(me.data?.demo ?? health.data?.demo);
}
