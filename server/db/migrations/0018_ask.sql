-- Ask (issue 21): every answer composed from a project's evidence is stored with its verified
-- sentences, the feedback people give it, and the tokens the language model spent per project
-- and day. All three tables are scoped like every other project table (docs/architecture.md,
-- "Project scope: two walls"): the composite key to projects (id, account_scope_id) MATCH FULL,
-- and row-level security enabled, forced and keyed to app.project_id.

create table ask_answers (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  -- The asker; kept when the user is deleted so the project's history stays whole.
  user_id uuid references app_users (id) on delete set null,
  question text not null check (length(question) between 1 and 2000),
  -- { source?, since?, until? } as asked.
  filters jsonb not null default '{}'::jsonb,
  mode text not null check (mode in ('model', 'extractive')),
  model text,
  heading jsonb,
  answer text not null,
  -- The verified sentences (contract AskSentence[]) and the numbered evidence given
  -- (AskEvidence[], quotes as they were at answer time), so a stored answer shows exactly what
  -- was checked even after the messages change.
  sentences jsonb not null,
  evidence jsonb not null,
  sentence_count integer not null check (sentence_count >= 0),
  supported_count integer not null check (supported_count between 0 and sentence_count),
  citation_count integer not null check (citation_count >= 0),
  removed_citation_count integer not null check (removed_citation_count >= 0),
  support_rate real check (support_rate between 0 and 1),
  prompt_tokens integer not null default 0 check (prompt_tokens >= 0),
  completion_tokens integer not null default 0 check (completion_tokens >= 0),
  duration_ms integer not null check (duration_ms >= 0),
  created_at timestamptz not null default now(),
  unique (project_id, id),
  constraint ask_answers_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
-- GET /ask/recent: one user's latest questions in one project.
create index ask_answers_user_recent_idx on ask_answers (project_id, user_id, created_at desc);

-- One opinion per person and answer: giving feedback again replaces it.
create table ask_feedback (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  answer_id uuid not null,
  user_id uuid not null references app_users (id) on delete cascade,
  helpful boolean not null,
  note text check (length(note) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (answer_id, user_id),
  constraint ask_feedback_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade,
  -- Composite, because foreign-key checks bypass row-level security.
  foreign key (project_id, answer_id) references ask_answers (project_id, id) on delete cascade
);

-- Language-model tokens per project and UTC day, for ASK_DAILY_TOKEN_BUDGET. A row per day is
-- the counter every process shares: an answer reserves its worst case with one conditional
-- upsert (the row lock orders concurrent reservations, so two answers cannot both take the last
-- tokens) and settles to what the provider reported when it ends (rag/ask/token-budget.ts).
create table ask_token_usage (
  project_id uuid not null,
  account_scope_id uuid not null,
  day date not null,
  tokens bigint not null default 0 check (tokens >= 0),
  updated_at timestamptz not null default now(),
  primary key (project_id, day),
  constraint ask_token_usage_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);

-- The project rule every scoped table has (0015_team_and_access.sql): the row's project is the
-- session's and the actor may see it.
select enable_project_isolation('ask_answers');
select enable_project_isolation('ask_feedback');
select enable_project_isolation('ask_token_usage');

create trigger ask_feedback_updated_at before update on ask_feedback
  for each row execute function set_updated_at();
create trigger ask_token_usage_updated_at before update on ask_token_usage
  for each row execute function set_updated_at();
