'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import type { useMySessions } from '@/lib/my-sessions';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { MutationError } from '@/components/states';
import { SettingsSection } from './settings-section';

/** Change my password; every other session of mine ends. */
export function PasswordSection({
  changePassword,
}: {
  changePassword: ReturnType<typeof useMySessions>['changePassword'];
}) {
  const t = useTranslations('settings.password');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    changePassword.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
        },
      },
    );
  }
  return (
    <SettingsSection title={t('title')} description={t('description')}>
      <form className="flex flex-col gap-3" onSubmit={submit} aria-label={t('title')}>
        <div className="flex flex-col gap-2">
          <Label htmlFor="current-password">{t('current')}</Label>
          <Input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="new-password">{t('new')}</Label>
          <Input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            aria-describedby="new-password-hint"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
          <p id="new-password-hint" className="text-xs text-muted-foreground">
            {t('hint')}
          </p>
        </div>
        <div>
          <Button type="submit" disabled={changePassword.isPending || next.length < 10 || !current}>
            {t('submit')}
          </Button>
        </div>
      </form>
      <div className="mt-3" aria-live="polite">
        {changePassword.isSuccess ? (
          <p role="status" className="text-sm text-emerald-800">
            {t('changed', { count: changePassword.data.revoked })}
          </p>
        ) : null}
        <MutationError error={changePassword.error} />
      </div>
    </SettingsSection>
  );
}
