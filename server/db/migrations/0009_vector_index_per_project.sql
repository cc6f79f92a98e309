-- One HNSW graph per large project instead of one over every project (issue 5).
--
-- Every search is scoped to one project, and pgvector applies that filter after the index scan:
-- with one shared graph a project holding 20% of the chunks read five neighbours for each it kept,
-- and the service's vector query took p99 35 ms at 100,000 chunks (bench/search). A partial index
-- `where project_id = '<id>' and embedding_status = 'ready'` is that project's graph alone. The embeddings job builds it
-- (CONCURRENTLY) once the project has more than SEARCH_EXACT_THRESHOLD ready chunks; smaller
-- projects are searched exactly (server/src/modules/rag/vector-index.ts).
--
-- Existing projects above the default threshold get their graph here, inside the migration
-- transaction (writes to rag_chunks wait meanwhile: see docs/operations.md before upgrading a
-- large database). Any project left out is searched exactly until its next embeddings run.
drop index if exists rag_chunks_embedding_hnsw_idx;

do $$
declare
  project uuid;
begin
  for project in
    select project_id from rag_chunks where embedding_status = 'ready'
    group by project_id having count(*) > 5000
  loop
    execute format(
      'create index if not exists %I on rag_chunks using hnsw (embedding vector_cosine_ops) '
      'with (m = 16, ef_construction = 64) '
      'where project_id = %L::uuid and embedding_status = ''ready''',
      'rag_chunks_hnsw_' || replace(project::text, '-', ''), project);
  end loop;
end
$$;
