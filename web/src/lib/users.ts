'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';
import type { CreateUserBody, WorkspaceRole } from './api-types';

const usersKey = ['users'] as const;

/** Every user of the workspace, with the owner's actions on them (Settings → Team). */
export function useUsers(enabled = true) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKey });
  const list = useQuery({ queryKey: usersKey, queryFn: () => api.users.list(), enabled });
  const invite = useMutation({
    mutationFn: (input: CreateUserBody) => api.users.invite(input),
    onSuccess: refresh,
  });
  const update = useMutation({
    mutationFn: (input: { id: string; role?: WorkspaceRole; active?: boolean }) =>
      api.users.update(input.id, { role: input.role, active: input.active }),
    onSuccess: refresh,
  });
  const reset = useMutation({
    mutationFn: (id: string) => api.users.reset(id),
    onSuccess: refresh,
  });
  return { list, invite, update, reset };
}
