-- Evidence search candidates of one project straight from the index (issue 5), as 0010 did for
-- the chunks: a (project_id, search_tsv) GIN index, read by the owner with an explicit scope
-- filter, because under row-level security Postgres never uses `@@` (not leakproof) as an index
-- condition and every evidence search rechecked all of the project's items. The items shown for
-- the candidates are read under RLS (server/src/modules/rag/index-evidence.ts).
drop index if exists evidence_items_search_tsv_idx;
create index if not exists evidence_items_project_search_tsv_idx
  on evidence_items using gin (project_id, search_tsv);
