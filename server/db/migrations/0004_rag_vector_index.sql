-- Approximate nearest-neighbour index for search (issue 5). Cosine ops because every provider's
-- vectors are compared by angle and the search queries order by `embedding <=> $query`, the
-- operator this opclass serves. Rows whose embedding is still null (pending) are not indexed.
--
-- Built inside the migration transaction, so not CONCURRENTLY: on a fresh database the table is
-- empty and the build is instant. For a large existing table, create it by hand first with
-- CREATE INDEX CONCURRENTLY under this same name (docs/operations.md, "Changing the embedding
-- dimension" and "Large embedding backfills"); `if not exists` then makes this a no-op.
-- m = 16, ef_construction = 64 are pgvector's defaults: measured recall@10 >= 0.95 with iterative
-- scan at 100,000 chunks (bench/search), and a larger graph slows every write.
create index if not exists rag_chunks_embedding_hnsw_idx
  on rag_chunks using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 64);

-- The exact path (small projects) and the "any ready chunk?" probe read a project's ready rows.
create index if not exists rag_chunks_project_ready_idx
  on rag_chunks (project_id, account_scope_id) where embedding_status = 'ready';

-- Evidence search filters by project first, then ranks by full text.
create index if not exists evidence_items_project_source_idx
  on evidence_items (project_id, source, updated_at desc);

-- Writing a vector is the hot path of an embeddings backfill (measured in bench/search): every
-- `ready` write used to recompute the three to_tsvector calls of the stored generated column
-- (Postgres recomputes stored generated columns on every UPDATE, whatever changed) and run the
-- dynamic-SQL scope check, together more than the vector write itself. So:
-- 1. search_tsv becomes a plain column kept by a trigger that fires only when `text` changes;
--    same expression (simple keeps exact tokens, russian and english add stems), same GIN index.
-- 2. The scope check on rag_chunks fires on insert and on updates of the scope columns only: an
--    update that leaves project_id and account_scope_id alone cannot break the match.
alter table rag_chunks drop column search_tsv;
alter table rag_chunks add column search_tsv tsvector;

create or replace function rag_chunks_set_search_tsv() returns trigger
language plpgsql as $$
begin
  new.search_tsv := to_tsvector('simple', new.text) || to_tsvector('russian', new.text)
                    || to_tsvector('english', new.text);
  return new;
end
$$;

create trigger rag_chunks_search_tsv before insert or update of text on rag_chunks
  for each row execute function rag_chunks_set_search_tsv();
update rag_chunks set text = text;
alter table rag_chunks alter column search_tsv set not null;
create index rag_chunks_search_tsv_idx on rag_chunks using gin (search_tsv);

drop trigger "00_scope_match" on rag_chunks;
create trigger "00_scope_match" before insert or update of project_id, account_scope_id on rag_chunks
  for each row execute function enforce_project_scope_match();
