-- Credential notices (issue 15, bench): API processes keep resolved sessions and tokens in memory
-- (server/src/modules/access/credential-cache.ts) and must forget one as soon as anything it was
-- resolved from changes. Every such change, whoever makes it (a route, the `npm run user` CLI, a
-- cascade), sends `pg_notify('cairn_credentials', <user id>)` from a trigger: inside the
-- changing transaction, so Postgres delivers it at commit and drops it with a rollback.
-- last_seen_at / last_used_at writes are not changes of the credential and send nothing.

create or replace function notify_credentials_changed() returns trigger
language plpgsql as $$
begin
  -- tg_argv[0]: the column holding the user's id in this table.
  perform pg_notify('cairn_credentials',
    to_jsonb(case when tg_op = 'DELETE' then old else new end) ->> tg_argv[0]);
  return null;
end
$$;

create trigger sessions_credentials_changed
  after delete or update of user_id, active_project_id, csrf_token, expires_at on sessions
  for each row execute function notify_credentials_changed('user_id');

create trigger api_tokens_credentials_changed
  after delete or update of user_id, permission, project_ids, expires_at, revoked_at on api_tokens
  for each row execute function notify_credentials_changed('user_id');

create trigger app_users_credentials_changed
  after delete or update of username, role, active, locale, password_hash on app_users
  for each row execute function notify_credentials_changed('id');

-- A membership decides the role a session has in its active project (project_role_of).
create trigger project_members_credentials_changed
  after insert or delete or update on project_members
  for each row execute function notify_credentials_changed('user_id');

-- The cache checks a session's expiry itself on every hit, so the lookup returns it.
drop function load_session(text, integer);
create function load_session(p_session_id text, p_idle_minutes integer)
returns table (public_id uuid, user_id uuid, username text, role text, locale text, csrf_token text,
               active_project_id uuid, account_scope_id uuid, project_role text,
               created_at timestamptz, last_seen_at timestamptz, expires_at timestamptz)
language plpgsql stable as $$
#variable_conflict use_column
begin
  return query
    select s.public_id, s.user_id, u.username, u.role, u.locale, s.csrf_token, s.active_project_id,
           p.account_scope_id, public.project_role_of(s.user_id, s.active_project_id),
           s.created_at, s.last_seen_at, s.expires_at
    from public.sessions s
    join public.app_users u on u.id = s.user_id
    left join public.projects p on p.id = s.active_project_id
    where s.session_id = p_session_id and u.active and s.expires_at > now()
      and s.last_seen_at > now() - make_interval(mins => p_idle_minutes);
end
$$;
