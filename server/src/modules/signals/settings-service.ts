import type { PatchSignalSettingsBody, SignalSettingsDto } from '@cairn/contract';
import { IANAZone } from 'luxon';
import type { Database, Scope } from '../../db/database.js';
import { AppError, notFound } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import { recordAudit } from '../audit/service.js';
import { businessCalendar } from './detectors/calendar.js';
import { withDefaults } from './detectors/settings.js';
import type { SignalSettings } from './detectors/types.js';

const invalid = (field: string, message: string) =>
  new AppError('validation_error', `invalid ${field}: ${message}`, {
    fields: [{ field, message }],
  });

const minuteOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** What the detectors read for the project: its stored settings over the defaults. */
export function effectiveSettings(stored: unknown): SignalSettingsDto {
  const s = withDefaults((stored ?? {}) as Partial<SignalSettings>);
  return {
    time_zone: s.time_zone,
    business_hours: { ...s.business_hours, days: [...s.business_hours.days] },
    holidays: [...s.holidays],
    response_target_minutes: s.response_target_minutes,
    stalled_days: s.stalled_days,
    deal_stalled_days: s.deal_stalled_days,
  };
}

export const defaultSettings = (): SignalSettingsDto => effectiveSettings({});

export async function readSignalSettings(database: Database, scope: Scope) {
  return database.withScope(scope, async (trx) => {
    const row = await trx
      .selectFrom('projects')
      .select('signal_settings')
      .where('id', '=', scope.projectId)
      .executeTakeFirst();
    if (!row) throw notFound('project');
    return effectiveSettings(row.signal_settings);
  });
}

/**
 * Checks what the schema cannot: the zone is a real IANA zone (luxon's list, the one the
 * detectors' calendar uses; a fixed offset like `UTC+3` is not one) and the day ends after it
 * starts. The detectors' own calendar (detectors/calendar.ts) then reads the result, so nothing
 * stored can make a signals run throw.
 */
function validate(settings: SignalSettingsDto) {
  if (!IANAZone.isValidZone(settings.time_zone) || /^(utc|gmt)?[+-]/i.test(settings.time_zone)) {
    throw invalid('time_zone', `${settings.time_zone} is not an IANA time zone`);
  }
  if (minuteOf(settings.business_hours.end) <= minuteOf(settings.business_hours.start)) {
    throw invalid('business_hours.end', 'must be after business_hours.start');
  }
  try {
    businessCalendar(settings);
  } catch (error) {
    if (error instanceof RangeError) {
      const field = /^[a-z_.]+/.exec(error.message)?.[0] ?? 'settings';
      throw invalid(field, error.message);
    }
    throw error;
  }
}

/** Applies a partial change, validated as a whole, stored complete and audited (before/after). */
export async function updateSignalSettings(
  database: Database,
  scope: Scope,
  patch: PatchSignalSettingsBody,
  actor: Actor,
): Promise<SignalSettingsDto> {
  return database.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('projects')
      .select(['signal_settings', 'account_scope_id'])
      .where('id', '=', scope.projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('project');
    const before = effectiveSettings(row.signal_settings);
    const after: SignalSettingsDto = {
      ...before,
      ...patch,
      business_hours: { ...before.business_hours, ...patch.business_hours },
    };
    after.business_hours.days = [...new Set(after.business_hours.days)].sort((a, b) => a - b);
    after.holidays = [...new Set(after.holidays)].sort();
    validate(after);
    await trx
      .updateTable('projects')
      .set({ signal_settings: JSON.stringify(after) })
      .where('id', '=', scope.projectId)
      .execute();
    const changed = (Object.keys(after) as (keyof SignalSettingsDto)[]).filter(
      (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    await recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: row.account_scope_id,
      actor: actor.username,
      action: 'project.signal_settings',
      entityType: 'project',
      entityId: scope.projectId,
      payload: {
        changed,
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k]])),
      },
      requestId: actor.requestId,
    });
    return after;
  });
}
