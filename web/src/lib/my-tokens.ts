'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api-client';
import type { CreateTokenBody } from './api-types';

const tokensKey = ['my-tokens'] as const;

/** The signed-in user's personal API tokens. A new token's secret is only in `create.data`. */
export function useMyTokens() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: tokensKey });
  const list = useQuery({ queryKey: tokensKey, queryFn: () => api.tokens.list() });
  const create = useMutation({
    mutationFn: (input: CreateTokenBody) => api.tokens.create(input),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.tokens.revoke(id),
    onSuccess: refresh,
  });
  return { list, create, revoke };
}
