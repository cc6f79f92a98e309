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
