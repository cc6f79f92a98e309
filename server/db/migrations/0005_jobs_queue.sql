-- Jobs on the queue (issue 6). pg-boss keeps its own schema (`pgboss`, created and upgraded by
-- pg-boss itself under its advisory lock); these are the additions to Cairn's own run history.

-- Each pg-boss delivery of a run is an attempt. A worker writes progress and the outcome only
-- while the row still carries its attempt number, so a worker presumed dead (reaped, or its job
-- expired and handed to another worker) can never overwrite the attempt that replaced it.
alter table job_runs add column attempt integer not null default 0;

-- At most one active run per (project, job type): the second request while one is queued or
-- running gets the existing run. The index, not a read-then-insert, is what makes two concurrent
-- requests (or two ticks) unable to create two runs.
create unique index job_runs_one_active_idx
  on job_runs (project_id, job_name) where status in ('queued', 'running');

-- The live event stream polls a project's rows changed since its last look.
create index job_runs_project_updated_idx on job_runs (project_id, updated_at);

-- The reaper looks only at running rows, by heartbeat.
create index job_runs_running_heartbeat_idx on job_runs (heartbeat_at) where status = 'running';
