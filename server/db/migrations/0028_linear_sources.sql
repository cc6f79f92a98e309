-- Linear sources (issue 18, items 2 and 8): a project may bind a Linear workspace beside its
-- Chatwoot account, synced by its own scheduled `linear_sync` job.
--
-- 1. Source kinds. Only Chatwoot has an account number; a Linear source's external id is the
--    Linear organization id (unique across projects by the existing (source_kind, external_id)
--    key) and what it covers (team_ids, project_ids) lives in `settings`. `attio_workspace` is
--    admitted here too, so that the constraint names every kind issue 18 defines and the Attio
--    connector's own migration does not have to rewrite it again.
alter table project_sources drop constraint if exists project_sources_source_kind_check;
alter table project_sources add constraint project_sources_source_kind_check
  check (source_kind in ('chatwoot_account', 'linear_workspace', 'attio_workspace'));
alter table project_sources alter column account_id drop not null;
alter table project_sources add constraint project_sources_chatwoot_account_id_check
  check (source_kind <> 'chatwoot_account' or account_id is not null);

-- 2. Job types. A `linear_sync` schedule exists per bound Linear source: it is created when the
--    source is bound and removed when it is unbound (sources/service.ts), not for every project.
--    Webhook deliveries are remembered in webhook_receipts (migration 0013) under receiver
--    `linear`, keyed per source.
alter table scheduled_jobs drop constraint if exists scheduled_jobs_job_type_check;
alter table scheduled_jobs add constraint scheduled_jobs_job_type_check
  check (job_type in ('chatwoot_sync', 'embeddings_run', 'outbound_process', 'signals_run',
                      'linear_sync', 'attio_sync'));
