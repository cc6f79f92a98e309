'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { sessionKeys, useDemoMode } from '@/lib/session';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/states';

/** Only same-site paths are followed after login, so a crafted link cannot bounce elsewhere. */
function safeNextPath(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/search';
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
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
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const demo = useDemoMode();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const login = useMutation({
    mutationFn: () => api.auth.login(username, password),
    onSuccess: async () => {
      queryClient.clear();
      await queryClient.invalidateQueries({ queryKey: sessionKeys.me });
      router.replace(safeNextPath(params.get('next')));
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
          <CardTitle className="text-xl">
            <span aria-hidden>◭ </span>Cairn
          </CardTitle>
          {demo ? <Badge variant="warning">Demo</Badge> : null}
        </div>
        <CardDescription>Sign in to your evidence workspace.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="flex flex-col gap-4" onSubmit={submit} aria-label="Sign in">
          <div className="flex flex-col gap-2">
            <Label htmlFor="username">Username</Label>
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
            <Label htmlFor="password">Password</Label>
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
                Too many sign-in attempts.{' '}
                {locked ? `Try again in ${formatWait(waitSeconds)}.` : 'You can try again now.'}
              </AlertDescription>
            </Alert>
          ) : login.error instanceof ApiError && login.error.code === 'invalid_credentials' ? (
            <Alert variant="destructive" role="alert">
              <AlertDescription>Wrong username or password.</AlertDescription>
            </Alert>
          ) : login.error ? (
            <ErrorState error={login.error} title="Could not sign in" />
          ) : null}
          <Button type="submit" disabled={login.isPending || locked}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
          {demo ? (
            <p className="text-xs text-muted-foreground">
              Demo mode: the admin password was printed once in the server console.
            </p>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}
