import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { AppQueryClient } from '../src/lib/query-client';

/**
 * A list whose first load reads the database before a write commits and answers after the write:
 * the invalidation that follows the write must show the write.
 */
async function listAfterWrite(client: QueryClient): Promise<string[] | undefined> {
  const stored: string[] = [];
  let calls = 0;
  const observer = new QueryObserver(client, {
    queryKey: ['outbound', 'p1', 'policies'],
    queryFn: async () => {
      calls += 1;
      const read = [...stored]; // read now, answered later
      await new Promise((resolve) => setTimeout(resolve, calls === 1 ? 50 : 1));
      return read;
    },
  });
  const unsubscribe = observer.subscribe(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 5)); // the first load has read: nothing
  stored.push('opted out'); // the write commits
  await client.invalidateQueries({ queryKey: ['outbound', 'p1'] });
  await new Promise((resolve) => setTimeout(resolve, 100));
  unsubscribe();
  return client.getQueryData<string[]>(['outbound', 'p1', 'policies']);
}

describe('the app’s query client', () => {
  it('fetches again on an invalidation that finds a first load in flight', async () => {
    expect(await listAfterWrite(new AppQueryClient())).toEqual(['opted out']);
  });

  it('differs from React Query’s own, which reuses that first load', async () => {
    expect(await listAfterWrite(new QueryClient())).toEqual([]);
  });
});
