'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { API_BASE_URL } from '@/lib/api-client';
import { Spinner } from '@/components/states';

/** `GET /health` read as a start-up phase (server/src/modules/system/start-phase.ts). */
interface Startup {
  /** The API answers requests: the app can render. */
  usable: boolean;
  /** The phase still to finish, or null once ready. */
  phase: Phase | null;
}
type Phase = 'starting' | 'migrating' | 'syncing the demo' | 'indexing' | 'waiting';
const PHASES = new Set<string>(['starting', 'migrating', 'syncing the demo', 'indexing']);
const POLL_MS = 1000;
const STARTUP_KEY = ['startup'];

async function probe(): Promise<Startup> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE_URL}/health`, { cache: 'no-store' });
  } catch {
    return { usable: false, phase: 'waiting' };
  }
  const body = (await response.json().catch(() => ({}))) as {
    phase?: string;
    error?: string;
    details?: { phase?: string };
  };
  if (response.ok) {
    const phase = body.phase && PHASES.has(body.phase) ? (body.phase as Phase) : null;
    return { usable: true, phase };
  }
  // 503 `starting` (opening or migrating the database), or the web server's 502 while the API
  // is not listening yet: Cairn is on its way up, not broken.
  if (body.error === 'starting') {
    const phase = body.details?.phase;
    return { usable: false, phase: phase && PHASES.has(phase) ? (phase as Phase) : 'starting' };
  }
  if (body.error === 'upstream_unavailable') return { usable: false, phase: 'waiting' };
  // Any other failure is an error the pages report themselves.
  return { usable: true, phase: null };
}

/**
 * While the API is starting, a localized "starting: <phase>" state instead of "API not
 * reachable" or an error page; it polls /health and gives way to the app by itself. Once the API
 * works but the demo is still syncing or indexing, the app shows with a line saying so.
 *
 * The app mounts once, after a probe has said the API is usable, and stays mounted: rendering it
 * before the first answer and swapping it for the starting state when that answer (or a later
 * poll) failed would unmount every page and drop what the person was doing, a question typed
 * into Ask included. A later outage is for the pages to report with their own error states.
 */
export function StartingGate({ children }: { children: ReactNode }) {
  const t = useTranslations('starting');
  const queryClient = useQueryClient();
  const startup = useQuery({
    queryKey: STARTUP_KEY,
    queryFn: async (): Promise<Startup> => {
      const next = await probe();
      const seen = queryClient.getQueryData<Startup>(STARTUP_KEY);
      return seen?.usable && !next.usable ? { ...seen, phase: null } : next;
    },
    retry: false,
    staleTime: Infinity,
    refetchInterval: (query) => (query.state.data && !query.state.data.phase ? false : POLL_MS),
  });
  const data = startup.data;
  // The first probe is one request to this origin: nothing is shown for its few milliseconds.
  if (!data) return <main aria-busy="true" className="min-h-dvh" />;
  if (!data.usable) {
    return (
      <main className="flex min-h-dvh items-center justify-center p-4">
        <div
          className="flex max-w-md flex-col items-center gap-3 text-center"
          data-testid="starting-state"
        >
          <h1 className="text-xl font-semibold">{t('title')}</h1>
          <Spinner label={t('phase', { phase: t(`phases.${data.phase ?? 'starting'}`) })} />
          <p className="text-sm text-muted-foreground">{t('body')}</p>
        </div>
      </main>
    );
  }
  return (
    <>
      {data.phase ? (
        <p
          role="status"
          data-testid="starting-banner"
          className="bg-amber-50 px-3 py-1 text-center text-sm text-amber-900"
        >
          {t('phase', { phase: t(`phases.${data.phase}`) })}
        </p>
      ) : null}
      {children}
    </>
  );
}
