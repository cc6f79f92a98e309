'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';
import type { ProjectRole } from './api-types';

/** A project's members and the actions its managers (and owners) have on them. */
export function useMembers(projectId: string) {
  const queryClient = useQueryClient();
  const key = ['members', projectId] as const;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const list = useQuery({ queryKey: key, queryFn: () => api.members.list(projectId) });
  const set = useMutation({
    mutationFn: (input: { userId: string; role: ProjectRole }) =>
      api.members.set(projectId, input.userId, input.role),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api.members.remove(projectId, userId),
    onSuccess: refresh,
  });
  return { list, set, remove };
}
