'use client';
import type { JobEventData, JobEventName } from '@cairn/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api-client';

/** One event of GET /jobs/events: the run as the server sends it (packages/contract jobs.ts). */
export type JobEvent = JobEventData;

// Every event name of the stream's schema, and only those: `satisfies` fails tsc when the
// contract gains or loses one.
const EVENT_NAMES = Object.keys({ status: true, progress: true } satisfies Record<
  JobEventName,
  true
>);

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows the active project's run events. Keeps the latest event per run and refreshes the jobs
 * queries when a run changes status, so tables catch up without polling.
 */
export function useJobEvents(projectId: string) {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<Record<string, JobEvent>>({});
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    const source = new EventSource(api.jobs.eventsUrl(), { withCredentials: true });
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    const onEvent = (message: MessageEvent<string>) => {
      const run = JSON.parse(message.data) as JobEvent;
      setEvents((prev) => ({ ...prev, [run.id]: run }));
      if (message.type === 'status')
        void queryClient.invalidateQueries({ queryKey: ['jobs', projectId] });
    };
    for (const name of EVENT_NAMES) source.addEventListener(name, onEvent as EventListener);
    return () => source.close();
  }, [projectId, queryClient]);

  return { events, state };
}
