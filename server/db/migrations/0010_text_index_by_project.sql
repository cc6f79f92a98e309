-- Full-text candidates of one project straight from the index (issue 5).
--
-- A (project_id, search_tsv) GIN index (btree_gin gives uuid a GIN opclass) intersects the
-- project's posting list with the query's terms, so a project's matches are found without reading
-- other projects' matches or the project's non-matching rows. It replaces the search_tsv-only
-- index: every text search is scoped to a project, and the project key adds one entry per row.
--
-- Why the search's text candidates are read by the owner, not under row-level security: Postgres
-- never uses an index condition whose operator is not leakproof ahead of an RLS policy, and
-- `tsvector @@ tsquery` is not, so under RLS every text search read and rechecked all of the
-- project's rows (38 ms for a 20,000-chunk project in bench/search, against under 2 with this
-- index). The candidates are ids only; the evidence shown for them is read under RLS
-- (server/src/modules/rag/search-chunks.ts).
create extension if not exists btree_gin;
drop index if exists rag_chunks_search_tsv_idx;
create index if not exists rag_chunks_project_search_tsv_idx
  on rag_chunks using gin (project_id, search_tsv);
