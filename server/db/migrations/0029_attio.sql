-- Attio connector, raw tables (issue 18, items 4 and 7): what syncAttio
-- (server/src/modules/connectors/attio/sync-attio.ts) reads from one Attio workspace into one
-- project. One table per entity kind, each keyed by (project_id, Attio id), scoped like every
-- other project table (composite key to projects MATCH FULL, row-level security).
--
-- Attio has no updated_at and no updated-since filter (shared/reference/attio/API-NOTES.md §3),
-- so every sync lists everything: `data` is the entity as read (for records: the current values),
-- `content_hash` a hash of it, compared before writing so a re-sync of unchanged entities writes
-- nothing. Attio has no archive for records: a record, note or task absent from a complete
-- listing (and confirmed gone) is deleted here with its chunks.

create table att_members (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  first_name text not null,
  last_name text not null,
  email text not null,
  access_level text not null,
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_members_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table att_companies (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  object_id text not null,
  name text,
  -- Lower-cased; what ties an Attio company to email domains elsewhere (issue 18, item 6).
  domains text[] not null default '{}',
  web_url text not null,
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_companies_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table att_people (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  object_id text not null,
  name text,
  -- Lower-cased addresses and E.164 numbers, as Attio normalises them.
  emails text[] not null default '{}',
  phones text[] not null default '{}',
  -- No foreign keys between att_* tables: kinds are read in separate passes and a reference may
  -- point outside the synced scope.
  company_id text,
  job_title text,
  web_url text not null,
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_people_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index att_people_company_idx on att_people (project_id, company_id);

create table att_deals (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  object_id text not null,
  name text,
  stage text,
  value numeric,
  currency text,
  owner_member_id text,
  company_id text,
  people_ids text[] not null default '{}',
  web_url text not null,
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_deals_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index att_deals_company_idx on att_deals (project_id, company_id);

create table att_notes (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  -- The parent object's slug or id as Attio gives it, and the parent record (its web_url is the
  -- note's deep link).
  parent_object text not null,
  parent_record_id text not null,
  title text not null,
  content_plaintext text not null,
  content_markdown text not null,
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_notes_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index att_notes_parent_idx on att_notes (project_id, parent_record_id);

create table att_tasks (
  project_id uuid not null,
  account_scope_id uuid not null,
  id text not null,
  workspace_id text not null,
  content_plaintext text not null,
  deadline_at timestamptz,
  is_completed boolean not null,
  -- Record ids of `linked_records`, in Attio's order (the first one's web_url is the deep link).
  linked_record_ids text[] not null default '{}',
  assignee_ids text[] not null default '{}',
  source_created_at timestamptz not null,
  data jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, id),
  constraint att_tasks_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

select enable_project_isolation('att_members');
select enable_project_isolation('att_companies');
select enable_project_isolation('att_people');
select enable_project_isolation('att_deals');
select enable_project_isolation('att_notes');
select enable_project_isolation('att_tasks');

create trigger att_members_updated_at before update on att_members
  for each row execute function set_updated_at();
create trigger att_companies_updated_at before update on att_companies
  for each row execute function set_updated_at();
create trigger att_people_updated_at before update on att_people
  for each row execute function set_updated_at();
create trigger att_deals_updated_at before update on att_deals
  for each row execute function set_updated_at();
create trigger att_notes_updated_at before update on att_notes
  for each row execute function set_updated_at();
create trigger att_tasks_updated_at before update on att_tasks
  for each row execute function set_updated_at();

-- Chunks of Attio notes (title + plaintext) and tasks share rag_chunks with Chatwoot and Linear.
-- Their ids are `atn:<project id>:<note id>` and `att:<project id>:<task id>` (the seed's style;
-- each is its own `conversation_global_id`); rag_chunks' generated `source_kind` and
-- `cw_message_ref` (0025_linear.sql) know these prefixes.
