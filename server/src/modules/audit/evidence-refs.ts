import { sql } from 'kysely';
import type { EvidenceRef } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Executor } from '../../db/scoped-sql.js';

const ROW_SOURCES = ['cw_messages', 'cw_conversations', 'rag_chunks'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks that every ref to a row (message, conversation, chunk) names a row of `projectId`;
 * `external` refs are kept as given. Run inside the scoped transaction of the write that stores
 * the refs: row-level security then hides other projects' rows, so a foreign id reads as missing
 * and is rejected exactly like an unknown one (400, naming the index), never revealing it exists.
 */
export async function validateEvidenceRefs(
  executor: Executor,
  projectId: string,
  refs: EvidenceRef[],
): Promise<EvidenceRef[]> {
  const invalid: { field: string; message: string }[] = [];
  for (const [index, ref] of refs.entries()) {
    if (ref.source === 'external') continue;
    if (!(ROW_SOURCES as readonly string[]).includes(ref.source)) {
      invalid.push({
        field: `evidence_refs.${index}.source`,
        message: `unknown source ${String(ref.source)}`,
      });
      continue;
    }
    if (ref.source === 'rag_chunks' && !UUID.test(ref.ref)) {
      invalid.push({
        field: `evidence_refs.${index}.ref`,
        message: 'a rag_chunks ref is a chunk uuid',
      });
      continue;
    }
    const { rows } = await sql<{ found: boolean }>`
      select exists (
        select 1 from ${sql.table(ref.source)}
        where id = ${ref.ref}${ref.source === 'rag_chunks' ? sql`::uuid` : sql``}
          and project_id = ${projectId}::uuid
      ) as found`.execute(executor);
    if (!rows[0]?.found) {
      invalid.push({
        field: `evidence_refs.${index}.ref`,
        message: `no ${ref.source} row ${ref.ref} in the active project`,
      });
    }
  }
  if (invalid.length > 0) {
    throw new AppError('invalid_input', `evidence refs do not resolve: ${invalid[0]!.message}`, {
      fields: invalid,
    });
  }
  return refs.map((r) => ({
    source: r.source,
    ref: r.ref,
    ...(r.snippet === undefined ? {} : { snippet: r.snippet }),
    ...(r.meta === undefined ? {} : { meta: r.meta }),
  }));
}
