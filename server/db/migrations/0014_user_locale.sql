-- The interface language a user chose in Settings → Profile (issue 17). Null means "follow the
-- browser" (Accept-Language), which is also what a user who never chose gets. The check lists the
-- locales the web catalogues and server/src/i18n carry; a new language is a new migration.
alter table app_users add column if not exists locale text null check (locale in ('en', 'ru'));
