-- Keep each chunk's vector in its row (issue 5).
--
-- A 1536-dimension vector is 6 KB: past the 2 KB at which Postgres starts moving values out to
-- the TOAST table, so every vector read (the exact path's scan of a project, the distance of each
-- HNSW candidate) fetched four TOAST chunks through the TOAST index. Exact search over a
-- 1,000-chunk project: 17 ms with the vectors out of line, 5 ms inline (bench/search data).
-- `storage main` keeps the vector inline unless the row cannot fit a page even after its text and
-- tsvector are compressed or moved out (so larger dimensions still work), and a toast_tuple_target
-- near the page size lets a row with an inline vector stay as it is.
--
-- Applies to vectors written from now on: existing ones move inline when they are next written
-- (a re-embedding, docs/operations.md).
alter table rag_chunks alter column embedding set storage main;
alter table rag_chunks set (toast_tuple_target = 8160);
