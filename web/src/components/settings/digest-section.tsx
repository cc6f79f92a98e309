'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useMyDigest } from '@/lib/my-digest';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from './settings-section';

/**
 * The daily signals digest: the email on or off (the email's unsubscribe link turns it off, this
 * turns it back on) and a webhook URL for a chat tool, whose signing secret is shown once when the
 * URL is saved (docs/signals.md describes the signature).
 */
export function DigestSection() {
  const t = useTranslations('settings.digest');
  const { settings, update } = useMyDigest();
  const [url, setUrl] = useState('');
  const digest = settings.data?.digest;

  function save(event: FormEvent) {
    event.preventDefault();
    update.mutate({ webhook_url: url.trim() }, { onSuccess: () => setUrl('') });
  }

  return (
    <SettingsSection title={t('title')} description={t('description')}>
      {settings.isLoading ? (
        <LoadingState label={t('loading')} />
      ) : settings.isError || !digest ? (
        <ErrorState error={settings.error} />
      ) : (
        <div className="flex flex-col gap-4">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={
                update.isPending && update.variables.email !== undefined
                  ? update.variables.email
                  : digest.email
              }
              disabled={update.isPending}
              onChange={(event) => update.mutate({ email: event.target.checked })}
            />
            {t('email')}
          </label>
          <div className="flex flex-col gap-2">
            <p className="text-sm">
              {digest.webhook_url ? t('webhookSet', { url: digest.webhook_url }) : t('webhookNone')}
            </p>
            <form className="flex flex-col gap-2" onSubmit={save} aria-label={t('webhookSave')}>
              <Label htmlFor="digest-webhook-url">{t('webhookUrl')}</Label>
              <div className="flex gap-2">
                <Input
                  id="digest-webhook-url"
                  type="url"
                  required
                  maxLength={2000}
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
                <Button type="submit" disabled={update.isPending || !url.trim()}>
                  {t('webhookSave')}
                </Button>
              </div>
            </form>
            {digest.webhook_url ? (
              <div>
                <Button
                  type="button"
                  variant="outline"
                  disabled={update.isPending}
                  onClick={() => update.mutate({ webhook_url: null })}
                >
                  {t('webhookRemove')}
                </Button>
              </div>
            ) : null}
          </div>
        </div>
      )}
      <div className="mt-3" aria-live="polite">
        {update.data?.webhook_secret ? (
          <OneTimeSecret
            label={t('secretLabel')}
            value={update.data.webhook_secret}
            copyLabel={t('copy')}
            testId="digest-webhook-secret"
            warning={t('secretWarning')}
          />
        ) : null}
        <MutationError error={update.error} />
      </div>
    </SettingsSection>
  );
}
