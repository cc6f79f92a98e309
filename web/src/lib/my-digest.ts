'use client';
import type { UpdateDigestSettingsBody } from '@cairn/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';

const digestKey = ['my-digest'] as const;

/** The signed-in user's daily digest settings and their one update (Settings → Profile). */
export function useMyDigest() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: digestKey, queryFn: () => api.digest.get() });
  const update = useMutation({
    mutationFn: (input: UpdateDigestSettingsBody) => api.digest.update(input),
    onSuccess: (data) =>
      queryClient.setQueryData(digestKey, { ...data, webhook_secret: undefined }),
  });
  return { settings, update };
}
