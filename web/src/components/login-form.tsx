'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { landingPath, sessionKeys, useDemoMode } from '@/lib/session';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/states';

/**
 * Only same-site paths are followed after login, so a crafted link cannot bounce elsewhere.
 * Without one, the landing page: Today when the session has a project, Search otherwise.
 */
function safeNextPath(next: string | null, activeProjectId: string | null): string {
  if (next && next !== '/' && next.startsWith('/') && !next.startsWith('//')) return next;
  return landingPath(activeProjectId);
}

/**
 * Seconds left of a wait that starts whenever `startedBy` changes (each 429 is a new error).
 * The state is reset while rendering, not in an effect: an effect runs after the first paint of
 * the 429, which showed "You can try again now." with the button enabled for a frame.
 */
function useCountdown(startedBy: unknown, seconds: number | null): number | null {
  const [start, setStart] = useState(startedBy);
  const [remaining, setRemaining] = useState(seconds);
  if (startedBy !== start) {
    setStart(startedBy);
    setRemaining(seconds);
  }
  useEffect(() => {
    if (remaining === null || remaining <= 0) return;
    const timer = setTimeout(() => setRemaining((r) => (r === null ? null : r - 1)), 1000);
    return () => clearTimeout(timer);
  }, [remaining]);
  return remaining;
}

export function LoginForm() {
  const t = useTranslations('login');
  const tShell = useTranslations('shell');
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const demo = useDemoMode();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const login = useMutation({
    mutationFn: () => api.auth.login(username, password),
    onSuccess: async (body) => {
      queryClient.clear();
      await queryClient.invalidateQueries({ queryKey: sessionKeys.me });
      router.replace(safeNextPath(params.get('next'), body.active_project_id));
    },
  });

  const rateLimit =
    login.error instanceof ApiError && login.error.code === 'rate_limited' ? login.error : null;
  const rateLimited = rateLimit !== null;
  const waitSeconds = useCountdown(
    rateLimit,
    rateLimit ? (rateLimit.retryAfterSeconds ?? 60) : null,
  );
  const locked = rateLimited && waitSeconds !== null && waitSeconds > 0;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!locked) login.mutate();
  }

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <div className="flex items-center justify-between">
          <h1 className="text-xl leading-tight font-semibold">
            <span aria-hidden>◭ </span>
            {t('title')}
          </h1>
          {demo ? <Badge variant="warning">{tShell('demo')}</Badge> : null}
        </div>
        <CardDescription>{t('description')}</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="flex flex-col gap-4" onSubmit={submit} aria-label={t('form')}>
          <div className="flex flex-col gap-2">
            <Label htmlFor="username">{t('username')}</Label>
            <Input
              id="username"
              name="username"
              autoComplete="username"
              required
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="password">{t('password')}</Label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {rateLimited ? (
            <Alert variant="warning" role="alert">
              <AlertDescription>
                {t('tooMany')}{' '}
                {!locked || waitSeconds === null
                  ? t('canTryNow')
                  : waitSeconds < 60
                    ? t('tryAgainInSeconds', { seconds: waitSeconds })
                    : t('tryAgainInMinutes', { minutes: Math.ceil(waitSeconds / 60) })}
              </AlertDescription>
            </Alert>
          ) : login.error instanceof ApiError && login.error.code === 'invalid_credentials' ? (
            <Alert variant="destructive" role="alert">
              <AlertDescription>{t('wrongCredentials')}</AlertDescription>
            </Alert>
          ) : login.error ? (
            <ErrorState error={login.error} title={t('couldNotSignIn')} />
          ) : null}
          <Button type="submit" disabled={login.isPending || locked}>
            {login.isPending ? t('signingIn') : t('signIn')}
          </Button>
          {demo ? <p className="text-xs text-muted-foreground">{t('demoHint')}</p> : null}
        </form>
      </CardContent>
    </Card>
  );
}
