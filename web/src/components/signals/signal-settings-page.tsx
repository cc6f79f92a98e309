'use client';
import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent } from 'react';
import type { SignalSettings } from '@/lib/api-types';
import { useProjects } from '@/lib/session';
import { useSignalSettings } from '@/lib/signals';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Input, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from '@/components/settings/settings-section';

const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;

/** Project → Signal settings: every member reads them, its managers change them. */
export function SignalSettingsPage({ projectId }: { projectId: string }) {
  const t = useTranslations('signalSettings');
  const projects = useProjects();
  const { settings, save } = useSignalSettings(projectId);
  const project = projects.data?.projects.find((p) => p.id === projectId);
  if (projects.isLoading || settings.isLoading) return <LoadingState label={t('loading')} />;
  if (!project) {
    return (
      <>
        <PageHeader title={t('title')} />
        <EmptyState title={t('notFound')} />
      </>
    );
  }
  if (settings.isError)
    return <ErrorState error={settings.error} onRetry={() => settings.refetch()} />;
  const canManage = project.permissions.includes('project:manage');
  return (
    <>
      <PageHeader title={t('title')} description={t('description', { project: project.name })} />
      <SettingsForm
        // A fresh form when the stored settings change (after a save, or another manager's).
        key={JSON.stringify(settings.data!.settings)}
        save={save}
        initial={settings.data!.settings}
        canManage={canManage}
      />
    </>
  );
}

function SettingsForm({
  save,
  initial,
  canManage,
}: {
  // The page holds the mutation, so "saved" outlives the form's remount with the new values.
  save: ReturnType<typeof useSignalSettings>['save'];
  initial: SignalSettings;
  canManage: boolean;
}) {
  const t = useTranslations('signalSettings');
  const ids = {
    zone: useId(),
    start: useId(),
    end: useId(),
    holidays: useId(),
    target: useId(),
    stalled: useId(),
    deal: useId(),
    days: useId(),
  };
  const [zone, setZone] = useState(initial.time_zone);
  const [days, setDays] = useState<number[]>(initial.business_hours.days);
  const [start, setStart] = useState(initial.business_hours.start);
  const [end, setEnd] = useState(initial.business_hours.end);
  const [holidays, setHolidays] = useState(initial.holidays.join('\n'));
  const [targetHours, setTargetHours] = useState(String(initial.response_target_minutes / 60));
  const [stalled, setStalled] = useState(String(initial.stalled_days));
  const [deal, setDeal] = useState(String(initial.deal_stalled_days));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      time_zone: zone.trim(),
      business_hours: { days: [...days].sort((a, b) => a - b), start, end },
      holidays: holidays
        .split(/\s+/)
        .map((d) => d.trim())
        .filter(Boolean),
      response_target_minutes: Math.round(Number(targetHours) * 60),
      stalled_days: Number(stalled),
      deal_stalled_days: Number(deal),
    });
  }

  return (
    <form onSubmit={submit} className="flex max-w-3xl flex-col gap-5">
      {!canManage ? (
        <Alert>
          <AlertDescription>{t('readOnly')}</AlertDescription>
        </Alert>
      ) : null}
      <fieldset disabled={!canManage || save.isPending} className="flex flex-col gap-5">
        <SettingsSection title={t('hoursTitle')}>
          <div className="grid gap-4 sm:grid-cols-3">
            <div className="flex flex-col gap-1 sm:col-span-3">
              <Label htmlFor={ids.zone}>{t('timeZone')}</Label>
              <Input
                id={ids.zone}
                value={zone}
                required
                aria-describedby={`${ids.zone}-hint`}
                onChange={(e) => setZone(e.target.value)}
              />
              <p id={`${ids.zone}-hint`} className="text-xs text-muted-foreground">
                {t('timeZoneHint')}
              </p>
            </div>
            <div
              role="group"
              aria-labelledby={ids.days}
              className="flex flex-col gap-2 sm:col-span-3"
            >
              <span id={ids.days} className="text-sm font-medium">
                {t('days')}
              </span>
              <div className="flex flex-wrap gap-3">
                {WEEKDAYS.map((day) => {
                  const n = Number(day);
                  const id = `${ids.days}-${day}`;
                  return (
                    <div key={day} className="flex items-center gap-1.5">
                      <Checkbox
                        id={id}
                        checked={days.includes(n)}
                        disabled={!canManage}
                        onCheckedChange={(checked) =>
                          setDays((current) =>
                            checked ? [...current, n] : current.filter((d) => d !== n),
                          )
                        }
                      />
                      <Label htmlFor={id}>{t(`weekdays.${day}`)}</Label>
                    </div>
                  );
                })}
              </div>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor={ids.start}>{t('start')}</Label>
              <Input
                id={ids.start}
                type="time"
                required
                value={start}
                onChange={(e) => setStart(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor={ids.end}>{t('end')}</Label>
              <Input
                id={ids.end}
                type="time"
                required
                value={end}
                onChange={(e) => setEnd(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1 sm:col-span-3">
              <Label htmlFor={ids.holidays}>{t('holidays')}</Label>
              <Textarea
                id={ids.holidays}
                rows={3}
                value={holidays}
                aria-describedby={`${ids.holidays}-hint`}
                onChange={(e) => setHolidays(e.target.value)}
              />
              <p id={`${ids.holidays}-hint`} className="text-xs text-muted-foreground">
                {t('holidaysHint')}
              </p>
            </div>
          </div>
        </SettingsSection>
        <SettingsSection title={t('thresholdsTitle')}>
          <div className="grid gap-4 sm:grid-cols-3">
            <div className="flex flex-col gap-1">
              <Label htmlFor={ids.target}>{t('responseTarget')}</Label>
              <Input
                id={ids.target}
                type="number"
                min={0.25}
                step={0.25}
                required
                value={targetHours}
                onChange={(e) => setTargetHours(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor={ids.stalled}>{t('stalledDays')}</Label>
              <Input
                id={ids.stalled}
                type="number"
                min={1}
                step={1}
                required
                value={stalled}
                onChange={(e) => setStalled(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor={ids.deal}>{t('dealStalledDays')}</Label>
              <Input
                id={ids.deal}
                type="number"
                min={1}
                step={1}
                required
                value={deal}
                onChange={(e) => setDeal(e.target.value)}
              />
            </div>
          </div>
        </SettingsSection>
      </fieldset>
      {canManage ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            {t('save')}
          </Button>
          {save.isSuccess ? (
            <p role="status" className="text-sm text-muted-foreground">
              {t('saved')}
            </p>
          ) : null}
        </div>
      ) : null}
      {save.isError ? <MutationError error={save.error} /> : null}
    </form>
  );
}
