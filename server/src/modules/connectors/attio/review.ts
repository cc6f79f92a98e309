import type { AttioNote, AttioRecord, AttioTask } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { notFound } from '../../../http/errors.js';
import { attioActorName, attioRecordWebUrl } from './links.js';

const iso = (at: Date | string) => new Date(at).toISOString();

/** One stored Attio note of the project, linked to its parent record; another project's is 404. */
export async function getAttioNote(
  database: Database,
  scope: Scope,
  id: string,
): Promise<AttioNote> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<Omit<AttioNote, 'source_created_at'> & { source_created_at: Date }>`
      select n.id, n.parent_object, n.parent_record_id, n.title, n.content_plaintext,
        ${attioActorName(sql.ref('n.project_id'), sql`n.data->'created_by_actor'`)} as author,
        n.source_created_at,
        ${attioRecordWebUrl(sql.ref('n.project_id'), sql.ref('n.parent_record_id'))} as web_url
      from att_notes n where ${inScope(scope, 'n')} and n.id = ${id}`.execute(trx);
    const row = rows[0];
    if (!row) throw notFound('note');
    return { ...row, source_created_at: iso(row.source_created_at) };
  });
}

/** One stored Attio task of the project, linked to its first linked record; another's is 404. */
export async function getAttioTask(
  database: Database,
  scope: Scope,
  id: string,
): Promise<AttioTask> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<
      Omit<AttioTask, 'source_created_at' | 'deadline_at'> & {
        source_created_at: Date;
        deadline_at: Date | null;
      }
    >`
      select t.id, t.content_plaintext, t.deadline_at, t.is_completed, t.linked_record_ids,
        t.assignee_ids,
        ${attioActorName(sql.ref('t.project_id'), sql`t.data->'created_by_actor'`)} as author,
        t.source_created_at,
        ${attioRecordWebUrl(sql.ref('t.project_id'), sql`t.linked_record_ids[1]`)} as web_url
      from att_tasks t where ${inScope(scope, 't')} and t.id = ${id}`.execute(trx);
    const row = rows[0];
    if (!row) throw notFound('task');
    return {
      ...row,
      deadline_at: row.deadline_at ? iso(row.deadline_at) : null,
      source_created_at: iso(row.source_created_at),
    };
  });
}

/** One stored Attio person, company or deal of the project (ids are unique across objects). */
export async function getAttioRecord(
  database: Database,
  scope: Scope,
  id: string,
): Promise<AttioRecord> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<
      Omit<AttioRecord, 'source_created_at'> & { source_created_at: Date }
    >`
      select r.id, r.object, r.name, r.web_url, r.source_created_at from (
        select id, 'people' as object, name, web_url, source_created_at
          from att_people where ${inScope(scope)}
        union all select id, 'companies', name, web_url, source_created_at
          from att_companies where ${inScope(scope)}
        union all select id, 'deals', name, web_url, source_created_at
          from att_deals where ${inScope(scope)}) r
      where r.id = ${id} limit 1`.execute(trx);
    const row = rows[0];
    if (!row) throw notFound('record');
    return { ...row, source_created_at: iso(row.source_created_at) };
  });
}
