'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { ErrorState, LoadingState } from '@/components/states';

/**
 * The page a one-time link opens (public): whose link it is, then a password to set. The link
 * works once; afterwards the user signs in as usual.
 */
export function AcceptInviteForm({ token }: { token: string }) {
  const t = useTranslations('invite');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const link = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.invitations.get(token),
    retry: false,
  });
  const accept = useMutation({ mutationFn: () => api.invitations.accept(token, password) });
  const mismatch = repeat.length > 0 && repeat !== password;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!mismatch && password.length >= 10) accept.mutate();
  }

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <h1 className="text-xl leading-tight font-semibold">
          <span aria-hidden>◭ </span>
          {link.data?.purpose === 'reset' ? t('resetTitle') : t('title')}
        </h1>
        {link.data ? (
          <CardDescription>{t('for', { username: link.data.username })}</CardDescription>
        ) : null}
      </CardHeader>
      <CardContent>
        {link.isLoading ? (
          <LoadingState label={t('checking')} />
        ) : link.isError ? (
          <ErrorState error={link.error} title={t('invalid')} />
        ) : accept.isSuccess ? (
          <div className="flex flex-col gap-3" role="status">
            <p className="text-sm">{t('done', { username: accept.data.username })}</p>
            <Button asChild>
              <Link href="/login">{t('signIn')}</Link>
            </Button>
          </div>
        ) : (
          <form className="flex flex-col gap-4" onSubmit={submit} aria-label={t('form')}>
            <input
              type="hidden"
              name="username"
              autoComplete="username"
              value={link.data!.username}
            />
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-password">{t('password')}</Label>
              <Input
                id="invite-password"
                type="password"
                autoComplete="new-password"
                required
                minLength={10}
                aria-describedby="invite-password-hint"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
              <p id="invite-password-hint" className="text-xs text-muted-foreground">
                {t('hint')}
              </p>
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-repeat">{t('repeat')}</Label>
              <Input
                id="invite-repeat"
                type="password"
                autoComplete="new-password"
                required
                aria-invalid={mismatch}
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
              />
            </div>
            {mismatch ? (
              <Alert variant="destructive" role="alert">
                <AlertDescription>{t('mismatch')}</AlertDescription>
              </Alert>
            ) : null}
            {accept.error ? <ErrorState error={accept.error} title={t('failed')} /> : null}
            <Button
              type="submit"
              disabled={accept.isPending || mismatch || password.length < 10 || !repeat}
            >
              {t('submit')}
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
