import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Database, Scope } from '../../src/db/database.js';
import type { SignalsTable } from '../../src/db/schema.js';

/**
 * One stored signal citing one message, as the signals run writes it
 * (server/src/modules/signals/write-run.ts), for tests that read signals without running detectors.
 */
export async function insertSignal(
  database: Database,
  scope: Pick<Scope, 'projectId' | 'accountScopeId'>,
  cites: { conversation: string; message: string; snippet?: string },
  values: Partial<Insertable<SignalsTable>> = {},
): Promise<string> {
  const kind = values.kind ?? 'awaiting_reply';
  const row = await database.db
    .insertInto('signals')
    .values({
      project_id: scope.projectId,
      account_scope_id: scope.accountScopeId,
      kind,
      severity: 'warning',
      title: 'The client is waiting for a reply',
      subject: { conversation_id: cites.conversation },
      subject_key: cites.conversation,
      evidence_refs: JSON.stringify([
        {
          source: 'cw_messages',
          ref: cites.message,
          ...(cites.snippet === undefined ? {} : { snippet: cites.snippet }),
        },
      ]),
      attributes: {},
      detector: kind,
      detector_version: '1',
      fingerprint: randomUUID(),
      ...values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
