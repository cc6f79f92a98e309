'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';
import type { PatchSignalSettingsBody } from '@cairn/contract';

/** Every signal query starts with this key, so one invalidation refreshes lists and counts. */
export const signalKeys = {
  all: ['signals'] as const,
  open: (projectId: string) => ['signals', projectId, 'open'] as const,
  openCount: (projectId: string) => ['signals', projectId, 'open-count'] as const,
  portfolio: ['signals', 'portfolio'] as const,
  settings: (projectId: string) => ['signal-settings', projectId] as const,
};

/** How many signals are open in the project (the Today badge); `more` past one page of 200. */
export function useOpenSignalCount(projectId: string | null) {
  return useQuery({
    queryKey: signalKeys.openCount(projectId ?? ''),
    queryFn: async () => {
      const page = await api.signals.list({ status: 'open', limit: 200 });
      return { count: page.signals.length, more: page.next_cursor !== null };
    },
    enabled: Boolean(projectId),
    staleTime: 30_000,
  });
}

export function usePortfolio() {
  return useQuery({ queryKey: signalKeys.portfolio, queryFn: () => api.signals.portfolio() });
}

/** A project's signal settings and, for its managers, saving a change. */
export function useSignalSettings(projectId: string) {
  const queryClient = useQueryClient();
  const key = signalKeys.settings(projectId);
  const settings = useQuery({ queryKey: key, queryFn: () => api.signals.settings(projectId) });
  const save = useMutation({
    mutationFn: (input: PatchSignalSettingsBody) => api.signals.updateSettings(projectId, input),
    onSuccess: (body) => queryClient.setQueryData(key, body),
  });
  return { settings, save };
}
