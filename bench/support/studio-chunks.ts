/**
 * Synthetic studio data shared by the benches: a seeded generator over a studio vocabulary in
 * both languages, and projects filled with messages and their chunks in large batches.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Scope } from '../../server/src/db/database.js';
import { systemScope } from '../../server/src/modules/access/system-actor.js';
export { rng } from './random.js';

const MESSAGES_PER_CONVERSATION = 50;
const INSERT_BATCH = 5_000;

const RU = (
  'макет макеты макетов логотип логотипа логотипом упаковка упаковки сайт сайта страница страницы ' +
  'счёт счета оплата оплату договор договора правки правок дедлайн сроки созвон встреча презентация ' +
  'баннер баннеры каталог каталога шрифт шрифты цвет цвета палитра иконки анимация фотографии ' +
  'фотограф типография визитки вывеска меню ресторан кофейня пекарня отель магазин доставка ' +
  'клиент заказчик директор маркетолог дизайнер верстальщик копирайтер согласовали прислать ' +
  'обновить поменять добавить убрать перенести утвердить проверить подготовить исправить ' +
  'срочно завтра четверг пятница неделю месяц вариант версия концепция бриф смета этап аванс'
).split(' ');
const EN = (
  'mockup mockups logo logos packaging website page pages invoice payment contract revisions ' +
  'deadline schedule call meeting deck banner banners catalogue font typeface colour palette ' +
  'icons animation photos photographer print cards signage menu restaurant cafe bakery hotel ' +
  'store delivery client director marketing designer developer copywriter approved send update ' +
  'change add remove move approve check prepare fix urgent tomorrow thursday friday week month ' +
  'option version concept brief estimate phase deposit footer header homepage checkout layout'
).split(' ');

export function makeText(random: () => number): string {
  const words = random() < 0.5 ? RU : EN;
  const n = 6 + Math.floor(random() * 14);
  return Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
}

export async function createProjectWithChunks(
  database: Database,
  name: string,
  count: number,
  random: () => number,
): Promise<Scope & { texts: string[] }> {
  const db = database.db;
  const scopeRow = await db
    .insertInto('account_scopes')
    .values({ scope_key: `bench-${name}-${randomBytes(3).toString('hex')}`, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({ account_scope_id: scopeRow.id, name: `bench ${name}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The bench stands in for the worker path.
  const scope = systemScope({ projectId: project.id, accountScopeId: scopeRow.id }, 'bench');
  await sql`
    insert into project_sources (project_id, account_scope_id, source_kind, external_id, base_url,
      account_id, api_token_enc)
    values (${scope.projectId}, ${scope.accountScopeId}, 'chatwoot_account', ${`bench:${project.id}`},
      'https://chat.example.test', 1, 'x')
  `.execute(db);
  const texts: string[] = [];
  for (let start = 0; start < count; start += INSERT_BATCH) {
    const size = Math.min(INSERT_BATCH, count - start);
    const ids = Array.from({ length: size }, (_, i) => start + i + 1);
    const batchTexts = ids.map(() => makeText(random));
    texts.push(...batchTexts);
    const conv = ids.map((id) => Math.ceil(id / MESSAGES_PER_CONVERSATION));
    const p = scope.projectId;
    await sql`
      insert into cw_conversations (id, project_id, account_scope_id, account_id, conversation_id, status)
      select 'cw:' || ${p} || ':1:' || c, ${p}, ${scope.accountScopeId}, 1, c, 'open'
      from (select distinct unnest(${conv}::bigint[]) as c) s
      on conflict do nothing
    `.execute(db);
    await sql`
      insert into cw_messages (id, project_id, account_scope_id, account_id, message_id,
        conversation_global_id, sender_type, message_type, content, source_created_at)
      select 'cwmsg:' || ${p} || ':1:' || id, ${p}, ${scope.accountScopeId}, 1, id,
        'cw:' || ${p} || ':1:' || c, 'Contact', 0, t, now() - make_interval(mins => id::int)
      from unnest(${ids}::bigint[], ${conv}::bigint[], ${batchTexts}::text[]) as u(id, c, t)
    `.execute(db);
    await sql`
      insert into rag_chunks (project_id, account_scope_id, message_global_id,
        conversation_global_id, chunk_index, text, text_hash)
      select ${p}, ${scope.accountScopeId}, 'cwmsg:' || ${p} || ':1:' || id,
        'cw:' || ${p} || ':1:' || c, 0, t, md5(t)
      from unnest(${ids}::bigint[], ${conv}::bigint[], ${batchTexts}::text[]) as u(id, c, t)
    `.execute(db);
  }
  return { ...scope, texts };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
