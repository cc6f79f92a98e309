'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useState } from 'react';
import { isLocale, locales, type AppLocale } from '@/i18n/config';
import { useMe, useUpdateMe } from '@/lib/session';
import { MutationError } from '@/components/states';
import { SettingsSection } from './settings-section';

const AUTOMATIC = 'auto';

/**
 * The interface language: automatic (the browser's) or one chosen for this user, saved on the
 * server so it follows the user to any browser. Applies at once, without reloading the page.
 */
export function LanguageSection() {
  const t = useTranslations('settings');
  const locale = useLocale();
  const me = useMe();
  const update = useUpdateMe();
  const saved = me.data?.authenticated ? me.data.locale : null;
  // The choice just made shows as chosen from the click on, until the save settles (then the
  // saved value, which an error leaves as it was). Held here, set in the click's own handler:
  // the mutation's pending state renders a moment later, and a controlled radio re-rendered
  // before it would jump back to the old value.
  const [choosing, setChoosing] = useState<string | null>(null);
  const shown = choosing ?? saved ?? AUTOMATIC;
  const choose = (value: string) => {
    setChoosing(value);
    update.mutate(
      { locale: isLocale(value) ? value : null },
      { onSettled: () => setChoosing(null) },
    );
  };
  const options: { value: AppLocale | typeof AUTOMATIC; label: string; lang?: AppLocale }[] = [
    { value: AUTOMATIC, label: t('language.automatic') },
    ...locales.map((value) => ({ value, label: t(`languageNames.${value}`), lang: value })),
  ];
  return (
    <SettingsSection title={t('language.title')} description={t('language.description')}>
      <fieldset className="flex flex-col gap-2" disabled={update.isPending}>
        <legend className="mb-1 text-sm font-medium">{t('language.legend')}</legend>
        {options.map((option) => (
          <label key={option.value} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="locale"
              value={option.value}
              className="size-4 accent-primary"
              checked={shown === option.value}
              onChange={(event) => choose(event.target.value)}
            />
            <span lang={option.lang}>{option.label}</span>
            {option.value === AUTOMATIC && saved === null ? (
              <span className="text-muted-foreground">
                {t('language.automaticHint', { language: t(`languageNames.${locale}`) })}
              </span>
            ) : null}
          </label>
        ))}
      </fieldset>
      <div className="mt-3" aria-live="polite">
        {update.isSuccess ? (
          <p role="status" className="text-sm text-emerald-800">
            {t('language.saved')}
          </p>
        ) : null}
        <MutationError error={update.error} />
      </div>
    </SettingsSection>
  );
}
