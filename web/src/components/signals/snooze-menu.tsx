'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ClockIcon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import { signalKeys } from '@/lib/signals';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { MutationError } from '@/components/states';

/** Mornings start at nine on the reader's clock; the signals job wakes the signal after it. */
const MORNING_HOUR = 9;

function atMorning(day: Date): Date {
  const at = new Date(day);
  at.setHours(MORNING_HOUR, 0, 0, 0);
  return at;
}

export function tomorrowMorning(now: Date): Date {
  const day = new Date(now);
  day.setDate(day.getDate() + 1);
  return atMorning(day);
}

/** Next Monday's morning (a week on from a Monday). */
export function nextWeek(now: Date): Date {
  const day = new Date(now);
  const toMonday = (8 - day.getDay()) % 7 || 7;
  day.setDate(day.getDate() + toMonday);
  return atMorning(day);
}

/** Snooze a signal: tomorrow morning, next week, or the morning of a chosen date. */
export function SnoozeMenu({ signalId }: { signalId: string }) {
  const t = useTranslations('today.snooze');
  const queryClient = useQueryClient();
  const dateId = useId();
  const [picking, setPicking] = useState(false);
  const [date, setDate] = useState('');
  const snooze = useMutation({
    mutationFn: (until: Date) => api.signals.snooze(signalId, until.toISOString()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: signalKeys.all }),
  });
  function submitDate(event: FormEvent) {
    event.preventDefault();
    const [y, m, d] = date.split('-').map(Number);
    if (!y || !m || !d) return;
    snooze.mutate(atMorning(new Date(y, m - 1, d)));
  }
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button size="sm" variant="ghost" disabled={snooze.isPending}>
            <ClockIcon aria-hidden />
            {t('label')}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          <DropdownMenuItem onSelect={() => snooze.mutate(tomorrowMorning(new Date()))}>
            {t('tomorrow')}
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => snooze.mutate(nextWeek(new Date()))}>
            {t('nextWeek')}
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setPicking(true)}>{t('pickDate')}</DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {picking ? (
        <form onSubmit={submitDate} className="flex w-full flex-wrap items-end gap-2">
          <div className="flex flex-col gap-1">
            <Label htmlFor={dateId}>{t('until')}</Label>
            <Input
              id={dateId}
              type="date"
              required
              value={date}
              onChange={(e) => setDate(e.target.value)}
              className="w-44"
            />
          </div>
          <Button type="submit" size="sm" disabled={snooze.isPending || !date}>
            {t('confirm')}
          </Button>
          <Button type="button" size="sm" variant="ghost" onClick={() => setPicking(false)}>
            {t('cancel')}
          </Button>
        </form>
      ) : null}
      {snooze.isError ? (
        <div className="w-full">
          <MutationError error={snooze.error} />
        </div>
      ) : null}
    </>
  );
}
