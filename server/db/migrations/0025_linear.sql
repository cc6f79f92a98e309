-- Linear connector, raw tables (issue 18, items 3 and 7): what syncLinear
-- (server/src/modules/connectors/linear/sync-linear.ts) reads from one Linear workspace into one
-- project. One table per entity kind, each keyed by (project_id, Linear id), scoped like every
-- other project table (composite key to projects MATCH FULL, row-level security).
--
-- Common columns: `source_updated_at` is Linear's `updatedAt` (the incremental cursor),
-- `archived_at` its `archivedAt` (archived rows stay, flagged), `data` the normalized record as
-- read, and `content_hash` a hash of `data`, compared before writing so a re-sync of unchanged
-- entities writes nothing. A hard delete in Linear deletes the row.

create table lin_users (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  organization_id text not null,
  name text not null,
  email text not null,
  source_updated_at timestamptz not null,
  archived_at timestamptz,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint lin_users_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table lin_customers (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  organization_id text not null,
  name text not null,
  -- Lower-cased; what ties a Linear customer to email domains elsewhere (issue 18, item 6).
  domains text[] not null default '{}',
  url text not null,
  source_updated_at timestamptz not null,
  archived_at timestamptz,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint lin_customers_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table lin_projects (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  organization_id text not null,
  name text not null,
  url text not null,
  source_updated_at timestamptz not null,
  archived_at timestamptz,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint lin_projects_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table lin_issues (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  organization_id text not null,
  identifier text not null,
  title text not null,
  description text,
  url text not null,
  state_type text not null,
  priority smallint not null,
  due_date date,
  assignee_id text,
  linear_project_id text,
  source_created_at timestamptz not null,
  source_updated_at timestamptz not null,
  archived_at timestamptz,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint lin_issues_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index lin_issues_updated_idx on lin_issues (project_id, source_updated_at);

create table lin_comments (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  organization_id text not null,
  -- Null for a comment on a project update or document; no foreign key: comments and issues
  -- are read in separate passes and a comment may arrive before its issue.
  issue_id text,
  body text not null,
  url text not null,
  user_id text,
  source_created_at timestamptz not null,
  source_updated_at timestamptz not null,
  archived_at timestamptz,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint lin_comments_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index lin_comments_issue_idx on lin_comments (project_id, issue_id);

select enable_project_isolation('lin_users');
select enable_project_isolation('lin_customers');
select enable_project_isolation('lin_projects');
select enable_project_isolation('lin_issues');
select enable_project_isolation('lin_comments');

create trigger lin_users_updated_at before update on lin_users
  for each row execute function set_updated_at();
create trigger lin_customers_updated_at before update on lin_customers
  for each row execute function set_updated_at();
create trigger lin_projects_updated_at before update on lin_projects
  for each row execute function set_updated_at();
create trigger lin_issues_updated_at before update on lin_issues
  for each row execute function set_updated_at();
create trigger lin_comments_updated_at before update on lin_comments
  for each row execute function set_updated_at();

-- Chunks of Linear issues (title + description) and comments share rag_chunks with Chatwoot
-- messages, so one search and one embedding queue cover both. Their ids are
-- `lin:<project id>:<issue id>` and `lincmt:<project id>:<comment id>` (the seed's style, see
-- server/src/modules/chatwoot/ids.ts; `conversation_global_id` is the issue's `lin:` id). Until now
-- every chunk referenced cw_messages; the reference now holds for Chatwoot chunks only, through a
-- generated column that is null for Linear ones (a null column skips a foreign key check), so a
-- deleted message still takes its chunks with it. Linear chunks are removed by the sync with
-- their rows. The expressions also know Attio's prefixes (`atn:` notes, `att:` tasks,
-- 0029_attio.sql): a generated expression cannot be altered before Postgres 17, and rewriting
-- rag_chunks twice on an upgrade was the alternative.
alter table rag_chunks drop constraint rag_chunks_project_id_message_global_id_fkey;
alter table rag_chunks add column source_kind text generated always as (
  case when message_global_id like 'lin:%' or message_global_id like 'lincmt:%' then 'linear'
       when message_global_id like 'atn:%' or message_global_id like 'att:%' then 'attio'
       else 'chatwoot' end) stored not null;
alter table rag_chunks add column cw_message_ref text generated always as (
  case when message_global_id like 'lin:%' or message_global_id like 'lincmt:%'
         or message_global_id like 'atn:%' or message_global_id like 'att:%' then null
       else message_global_id end) stored;
alter table rag_chunks add constraint rag_chunks_cw_message_fkey
  foreign key (project_id, cw_message_ref) references cw_messages (project_id, id) on delete cascade;
create index rag_chunks_cw_message_ref_idx on rag_chunks (project_id, cw_message_ref);
