-- Cheaper bulk writes for ingestion (measured with EXPLAIN ANALYZE on 2,000-row batches in
-- bench/ingest): every scoped row paid for three per-row checks of one fact (the project exists,
-- the account scope exists, and the scope is the project's: two foreign keys and the
-- 00_scope_match trigger), about a third of a cw_messages insert.
--
-- 1. One composite foreign key states the whole rule: (project_id, account_scope_id) must be a
--    row of projects. MATCH FULL keeps the trigger's one exception (both null, as on account-level
--    audit rows) and refuses a half-null pair. It also carries each table's ON DELETE action, so
--    a project's rows still go with it (audit rows still hold it back). The check runs in C with
--    a cached plan, and it holds on UPDATE as well, with no trigger to keep in step.
-- projects has had unique (id, account_scope_id) since 0001 for this purpose.

do $$
declare
  t record;
  on_delete text;
begin
  for t in
    select c.oid, c.relname from pg_trigger tr join pg_class c on c.oid = tr.tgrelid
    where tr.tgfoid = 'enforce_project_scope_match'::regproc and not tr.tgisinternal
      and c.relnamespace = current_schema()::regnamespace
  loop
    select case f.confdeltype when 'c' then 'cascade' when 'r' then 'restrict' else 'no action' end
      into strict on_delete
    from pg_constraint f
    where f.conrelid = t.oid and f.contype = 'f' and f.confrelid = 'projects'::regclass
      and f.conkey = array[(select attnum from pg_attribute where attrelid = t.oid and attname = 'project_id')];
    execute format('drop trigger "00_scope_match" on %I', t.relname);
    execute format('alter table %I drop constraint %I, drop constraint %I', t.relname,
                   t.relname || '_project_id_fkey', t.relname || '_account_scope_id_fkey');
    execute format('alter table %I add constraint %I foreign key (project_id, account_scope_id)
                      references projects (id, account_scope_id) match full on delete %s',
                   t.relname, t.relname || '_scope_fkey', on_delete);
  end loop;
end
$$;

drop function enforce_project_scope_match();

-- 2. The chunk tsvector drops its `english` part: Postgres's `russian` configuration already
--    stems Latin words with english_stem and `simple` keeps every other word as written, so the
--    three-part vector held no lexeme the two-part one lacks, and each chunk parsed its text a
--    third time for nothing (the tsvector trigger was the largest single cost of a chunk insert).
--    Existing rows keep their vectors: the same lexemes, only with extra positions.
create or replace function rag_chunks_set_search_tsv() returns trigger
language plpgsql as $$
begin
  new.search_tsv := to_tsvector('simple', new.text) || to_tsvector('russian', new.text);
  return new;
end
$$;
