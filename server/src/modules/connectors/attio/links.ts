import { sql, type RawBuilder } from 'kysely';

/**
 * The `web_url` of one stored Attio record (a person, company or deal) of a project: where a
 * note (its parent record) or a task (its first linked record) is opened in Attio, which has no
 * page of a note or task of its own. Record ids are uuids, unique across objects. One fragment
 * for every reader (the search hits, evidence refs, the by-id routes) so the link is the same.
 */
export function attioRecordWebUrl(
  projectId: RawBuilder<unknown>,
  recordId: RawBuilder<unknown>,
): RawBuilder<string | null> {
  return sql<string | null>`(select r.web_url from (
      select id, web_url from att_people where project_id = ${projectId}
      union all select id, web_url from att_companies where project_id = ${projectId}
      union all select id, web_url from att_deals where project_id = ${projectId}) r
    where r.id = ${recordId} limit 1)`;
}

/** The name of the workspace member an Attio actor (`created_by_actor`) names, if one. */
export function attioActorName(
  projectId: RawBuilder<unknown>,
  actor: RawBuilder<unknown>,
): RawBuilder<string | null> {
  return sql<string | null>`(select nullif(btrim(concat_ws(' ', m.first_name, m.last_name)), '')
    from att_members m where m.project_id = ${projectId}
      and ${actor}->>'type' = 'workspace-member' and m.id = ${actor}->>'id' limit 1)`;
}
