'use client';
import { useQuery } from '@tanstack/react-query';
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
 */
export function StartingGate({ children }: { children: ReactNode }) {
  const t = useTranslations('starting');
  const startup = useQuery({
    queryKey: ['startup'],
    queryFn: probe,
    retry: false,
    staleTime: Infinity,
    refetchInterval: (query) => (query.state.data && !query.state.data.phase ? false : POLL_MS),
  });
  const data = startup.data;
  if (data && !data.usable) {
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
      {data?.phase ? (
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
