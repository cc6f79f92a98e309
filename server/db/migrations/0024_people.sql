-- People and organisations across sources (issue 18, item 6). A person is a group of records the
-- sources hold (a Chatwoot contact today; Attio people and Linear users when those connectors
-- land), tied by a normalised email or an E.164 phone; an organisation a group of company records
-- and email domains tied by domain. The rows here are a projection: the rebuild
-- (server/src/modules/people/rebuild.ts) recomputes them from the sources' rows and the manual
-- decisions below, and writes only what changed. Every table is scoped like every other project
-- table (docs/architecture.md, "Project scope: two walls").

create table organizations (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  name text,
  domains text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id),
  constraint organizations_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

create table people (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  name text,
  -- Normalised, sorted: lower-cased addresses and E.164 numbers.
  emails text[] not null default '{}',
  phones text[] not null default '{}',
  organization_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id),
  constraint people_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade,
  -- Composite, because foreign-key checks bypass row-level security.
  foreign key (project_id, organization_id) references organizations (project_id, id)
    on delete set null (organization_id)
);
-- GET /people?email=: people by any of their addresses.
create index people_emails_idx on people using gin (emails);
create index people_project_name_idx on people (project_id, name, id);

-- One row per source record: which person it is and what tied it (matched_on, value). A record
-- is named by its source, what the id names there (a Chatwoot contact and agent can share a
-- number) and the id; for Chatwoot contacts the id is the stored contact's id (cw_contacts.id).
create table person_links (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  person_id uuid not null,
  source_kind text not null
    check (source_kind in ('chatwoot_account', 'linear_workspace', 'attio_workspace')),
  entity text not null,
  external_id text not null,
  -- null: the record stands alone (nothing else shares its contact points).
  matched_on text check (matched_on in ('email', 'phone', 'manual')),
  value text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, source_kind, entity, external_id),
  constraint person_links_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade,
  foreign key (project_id, person_id) references people (project_id, id) on delete cascade
);
create index person_links_person_idx on person_links (project_id, person_id);

create table organization_links (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  organization_id uuid not null,
  source_kind text not null
    check (source_kind in ('chatwoot_account', 'linear_workspace', 'attio_workspace')),
  -- company (Attio), customer (Linear), email_domain (the domain of people's addresses).
  entity text not null,
  external_id text not null,
  matched_on text check (matched_on in ('domain', 'manual')),
  value text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, source_kind, entity, external_id),
  constraint organization_links_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade,
  foreign key (project_id, organization_id) references organizations (project_id, id)
    on delete cascade
);
create index organization_links_org_idx on organization_links (project_id, organization_id);

-- What people decided by hand (POST /people/merge, POST /people/:id/split), by record rather
-- than by person id, so a rebuild that renumbers people still honours them: `merge` pairs are one
-- person, `apart` pairs never are. Pairs are stored with a <= b (source_kind, entity, external_id).
create table person_decisions (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  kind text not null check (kind in ('merge', 'apart')),
  a_source_kind text not null,
  a_entity text not null,
  a_external_id text not null,
  b_source_kind text not null,
  b_entity text not null,
  b_external_id text not null,
  created_by uuid references app_users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (project_id, a_source_kind, a_entity, a_external_id, b_source_kind, b_entity,
          b_external_id),
  constraint person_decisions_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

select enable_project_isolation('organizations');
select enable_project_isolation('people');
select enable_project_isolation('person_links');
select enable_project_isolation('organization_links');
select enable_project_isolation('person_decisions');

create trigger organizations_updated_at before update on organizations
  for each row execute function set_updated_at();
create trigger people_updated_at before update on people
  for each row execute function set_updated_at();
create trigger person_links_updated_at before update on person_links
  for each row execute function set_updated_at();
create trigger organization_links_updated_at before update on organization_links
  for each row execute function set_updated_at();
