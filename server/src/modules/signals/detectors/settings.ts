import type { SignalSettings } from './types.js';

/**
 * Defaults a project starts with: a Monday–Friday 09:00–18:00 week in UTC until the project names
 * its zone, a reply within 4 working hours (half a working day: the studio's own promise to its
 * clients), a conversation stalled after 5 quiet days (a working week) and a deal after 14.
 */
export const DEFAULT_SIGNAL_SETTINGS: SignalSettings = {
  time_zone: 'UTC',
  business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  holidays: [],
  response_target_minutes: 240,
  stalled_days: 5,
  deal_stalled_days: 14,
};

/** Project settings over the defaults; a partial object keeps the defaults for what it omits. */
export function withDefaults(settings: Partial<SignalSettings> = {}): SignalSettings {
  return {
    ...DEFAULT_SIGNAL_SETTINGS,
    ...settings,
    business_hours: { ...DEFAULT_SIGNAL_SETTINGS.business_hours, ...settings.business_hours },
  };
}
