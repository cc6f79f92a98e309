'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api-client';
import type { JobRun } from './api-types';

/** One progress or status event of a run, as streamed by GET /jobs/events. */
export interface JobEvent {
  run_id: string;
  job_name?: string;
  status?: string;
  processed?: number;
  total?: number | null;
  phase?: string | null;
  error?: string | null;
}

// The stream may name its events; listening to each known name and to unnamed messages keeps the
// page live whichever the server sends.
const EVENT_NAMES = ['message', 'progress', 'status', 'run', 'run_progress', 'run_status', 'job'];

function toJobEvent(raw: unknown): JobEvent | null {
  if (!raw || typeof raw !== 'object') return null;
  const record = raw as Record<string, unknown>;
  const run = (record.run ?? record) as Partial<JobRun> & Record<string, unknown>;
  const runId = (record.run_id ?? run.id) as string | undefined;
  if (!runId) return null;
  const progress = (record.progress ?? run.progress ?? {}) as Record<string, unknown>;
  return {
    run_id: runId,
    job_name: (record.job_name ?? run.job_name ?? record.job) as string | undefined,
    status: (record.status ?? run.status) as string | undefined,
    processed: (progress.processed ?? record.processed) as number | undefined,
    total: (progress.total ?? record.total) as number | null | undefined,
    phase: (progress.phase ?? record.phase) as string | null | undefined,
    error: (record.error ?? run.error) as string | null | undefined,
  };
}

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
    let lastStatus: Record<string, string | undefined> = {};
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    const onEvent = (message: MessageEvent<string>) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = toJobEvent(parsed);
      if (!event) return;
      setEvents((prev) => ({ ...prev, [event.run_id]: { ...prev[event.run_id], ...event } }));
      if (event.status && lastStatus[event.run_id] !== event.status) {
        lastStatus = { ...lastStatus, [event.run_id]: event.status };
        void queryClient.invalidateQueries({ queryKey: ['jobs', projectId] });
      }
    };
    for (const name of EVENT_NAMES) source.addEventListener(name, onEvent as EventListener);
    return () => source.close();
  }, [projectId, queryClient]);

  return { events, state };
}
