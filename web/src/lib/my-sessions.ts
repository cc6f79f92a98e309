'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';

const sessionsKey = ['my-sessions'] as const;

/** The signed-in user's sessions, the password change (which ends the others) and revocation. */
export function useMySessions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: sessionsKey });
  const list = useQuery({ queryKey: sessionsKey, queryFn: () => api.sessions.list() });
  const revoke = useMutation({
    mutationFn: (id: string) => api.sessions.revoke(id),
    onSuccess: refresh,
  });
  const revokeOthers = useMutation({
    mutationFn: () => api.sessions.revokeOthers(),
    onSuccess: refresh,
  });
  const changePassword = useMutation({
    mutationFn: (input: { current_password: string; new_password: string }) =>
      api.auth.changePassword(input),
    onSuccess: refresh,
  });
  return { list, revoke, revokeOthers, changePassword };
}
