-- Evidence search candidates of one project straight from the index (issue 5), as 0010 did for
-- the chunks: a (project_id, search_tsv) GIN index, read by the owner with an explicit scope
-- filter, because under row-level security Postgres never uses `@@` (not leakproof) as an index
-- condition and every evidence search rechecked all of the project's items. The items shown for
-- the candidates are read under RLS (server/src/modules/rag/index-evidence.ts).
--
-- The tsvector loses its `english` part, as the chunks' did in 0008: the `russian` configuration
-- already stems Latin words with english_stem and `simple` keeps every word as written, so the
-- third parse of each item added no lexeme the other two lack. Dropping the column drops its old
-- index; the generated column is recomputed for every existing item.
alter table evidence_items drop column search_tsv;
alter table evidence_items add column search_tsv tsvector generated always as (
  to_tsvector('simple', search_text) || to_tsvector('russian', search_text)
) stored;
create index if not exists evidence_items_project_search_tsv_idx
  on evidence_items using gin (project_id, search_tsv);
