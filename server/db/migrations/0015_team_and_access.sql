-- Team and access (issue 15): workspace roles, project membership, invitations, session details,
-- personal API tokens, and a second condition in every project's row-level security policy.

-- ---------------------------------------------------------------------------------------------
-- Workspace roles. Every user that exists when this runs becomes an owner, so an upgrade locks
-- nobody out of a project they could open before (docs/operations.md, "Upgrading to roles");
-- users created afterwards are members unless made owners.
alter table app_users
  add column role text not null default 'owner' check (role in ('owner', 'member')),
  add column active boolean not null default true,
  add column email text check (email is null or length(email) between 3 and 320),
  add column deactivated_at timestamptz;
alter table app_users alter column role set default 'member';

-- Per project, a member is a manager, a contributor or a viewer (modules/access/permissions.ts
-- says what each may do). Owners need no row: they act as managers everywhere.
create table project_members (
  project_id uuid not null references projects (id) on delete cascade,
  user_id uuid not null references app_users (id) on delete cascade,
  role text not null check (role in ('manager', 'contributor', 'viewer')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, user_id)
);
create index project_members_user_idx on project_members (user_id);
create trigger project_members_updated_at before update on project_members
  for each row execute function set_updated_at();

-- A session is listed and revoked by a public id: the primary key is the hash of the cookie, and
-- even a hash of a live credential is not something to hand out.
alter table sessions
  add column public_id uuid not null default gen_random_uuid(),
  add column ip text check (ip is null or length(ip) <= 100),
  add column user_agent text check (user_agent is null or length(user_agent) <= 500);
create unique index sessions_public_id_key on sessions (public_id);

-- One-time links: an invitation (set a first password) or a reset (set a new one). Only the
-- SHA-256 of the link's token is stored; a link is used at most once (used_at) and expires.
create table invitations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_users (id) on delete cascade,
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  purpose text not null check (purpose in ('invite', 'reset')),
  created_by uuid references app_users (id) on delete set null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_user_idx on invitations (user_id, created_at desc);

-- Personal API tokens. The secret is shown once; only its SHA-256 is stored. project_ids null
-- means every project the user can see, now and later.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_users (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  prefix text not null,
  secret_hash text not null unique check (secret_hash ~ '^[0-9a-f]{64}$'),
  permission text not null check (permission in ('read', 'draft')),
  project_ids uuid[] check (project_ids is null or cardinality(project_ids) between 1 and 1000),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text,
  last_used_user_agent text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index api_tokens_user_idx on api_tokens (user_id, created_at desc);
create trigger api_tokens_updated_at before update on api_tokens
  for each row execute function set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Who may see which project, in one place: the effective project role of a user (owners are
-- managers everywhere; deactivated users see nothing). The API's guard, the project list and
-- row-level security all ask this function, so they cannot disagree.
-- PL/pgSQL rather than SQL: a security-definer SQL function is never inlined, and its body would
-- be parsed and planned again at every call; PL/pgSQL keeps the plan for the connection's life
-- (every request asks this once, in the guard's session lookup).
--
-- Security definer without `set search_path` on purpose: that clause makes every call save and
-- restore the setting, which measured at twice the function's cost on the embedded database
-- (bench/auth). Every relation and function below is schema-qualified instead, so a caller's
-- search_path (and pg_temp, searched first for relations) cannot substitute an object of its own;
-- operators and built-ins come from pg_catalog, which no role here can write to.
create or replace function project_role_of(p_user uuid, p_project uuid) returns text
language plpgsql stable security definer as $$
declare
  result text;
begin
  select case when u.role = 'owner' then 'manager' else m.role end into result
  from public.app_users u
  join public.projects p on p.id = p_project
  left join public.project_members m on m.user_id = u.id and m.project_id = p.id
  where u.id = p_user and u.active;
  return result;
end
$$;

-- The second condition of every scoped policy: may the transaction's actor see the transaction's
-- project? The actor is `app.user_id`, set with `app.project_id` by database.withScope: a user's
-- id (requests), `system` (the worker path: jobs, signed webhooks and links; see
-- modules/access/system-actor.ts), or nothing, which sees no row.
--
-- It takes no row argument on purpose: a policy calls it as `(select app_actor_may_see_project())`,
-- an uncorrelated subquery that Postgres plans as an InitPlan, evaluated once per statement and
-- not once per row (a search reads hundreds of thousands of rows under these policies; checked by
-- EXPLAIN in server/test/identity/rls-membership.test.ts). The first condition already holds every
-- row to `app.project_id`, so checking that one project is enough. Security definer, so it reads
-- the membership tables that the policy itself never exposes (no search_path clause: see above).
create or replace function app_actor_may_see_project() returns boolean
language plpgsql stable security definer as $$
declare
  actor text := current_setting('app.user_id', true);
  project text := current_setting('app.project_id', true);
begin
  if actor = 'system' then
    return true;
  end if;
  if actor is null or project is null
     or actor !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or project !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return public.project_role_of(actor::uuid, project::uuid) is not null;
end
$$;

-- The policy every table with a project_id carries. Later migrations that add a scoped table call
-- `select enable_project_isolation('the_table')` instead of writing the policy out again.
create or replace function enable_project_isolation(t regclass) returns void
language plpgsql as $$
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('drop policy if exists project_isolation on %s', t);
  execute format($p$create policy project_isolation on %s
                   using (project_id = nullif(current_setting('app.project_id', true), '')::uuid
                          and (select app_actor_may_see_project()))
                   with check (project_id = nullif(current_setting('app.project_id', true), '')::uuid
                               and (select app_actor_may_see_project()))$p$, t);
end
$$;

-- Every existing project_isolation policy gets the second condition, and so does the new
-- membership table (it has a project_id: the same rule covers it).
do $$
declare
  t record;
begin
  for t in
    select distinct c.oid::regclass as rel
    from pg_policy p join pg_class c on c.oid = p.polrelid
    where p.polname = 'project_isolation' and c.relnamespace = current_schema()::regnamespace
  loop
    perform enable_project_isolation(t.rel);
  end loop;
end
$$;
select enable_project_isolation('project_members');

-- ---------------------------------------------------------------------------------------------
-- The two lookups every authenticated request makes, as PL/pgSQL so that each connection plans
-- them once and keeps the plan (a plain statement is parsed and planned at every request: on the
-- embedded database that was most of a request's cost, bench/auth). Both read on the owner
-- connection and return nothing for an expired, idle, revoked or deactivated credential.
create or replace function load_session(p_session_id text, p_idle_minutes integer)
returns table (public_id uuid, user_id uuid, username text, role text, locale text, csrf_token text,
               active_project_id uuid, account_scope_id uuid, project_role text,
               created_at timestamptz, last_seen_at timestamptz)
language plpgsql stable as $$
#variable_conflict use_column
begin
  return query
    select s.public_id, s.user_id, u.username, u.role, u.locale, s.csrf_token, s.active_project_id,
           p.account_scope_id, public.project_role_of(s.user_id, s.active_project_id),
           s.created_at, s.last_seen_at
    from public.sessions s
    join public.app_users u on u.id = s.user_id
    left join public.projects p on p.id = s.active_project_id
    where s.session_id = p_session_id and u.active and s.expires_at > now()
      and s.last_seen_at > now() - make_interval(mins => p_idle_minutes);
end
$$;

create or replace function load_token(p_secret_hash text)
returns table (id uuid, prefix text, permission text, project_ids uuid[], created_at timestamptz,
               expires_at timestamptz, last_used_at timestamptz, user_id uuid, username text,
               role text, locale text)
language plpgsql stable as $$
#variable_conflict use_column
begin
  return query
    select t.id, t.prefix, t.permission, t.project_ids, t.created_at, t.expires_at,
           t.last_used_at, u.id, u.username, u.role, u.locale
    from public.api_tokens t
    join public.app_users u on u.id = t.user_id
    where t.secret_hash = p_secret_hash and t.revoked_at is null and t.expires_at > now()
      and u.active;
end
$$;
