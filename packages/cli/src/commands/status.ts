import type { JobStatusResponseSchema, Me } from '@cairn/contract';
import type { Static } from 'typebox';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';
import { CliError, EXIT } from '../errors.js';

type JobStatus = Static<typeof JobStatusResponseSchema>;

export const status = defineCommand({
  name: 'status',
  summary: 'Who you are on which server, and the project’s sync and index state',
  help: `cairn status [--project ID] [--json]

The caller (GET /auth/me) and, when a project is known (--project, or the token's only one), its
latest runs, counts and storage (GET /jobs/status).`,
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(values) {
    const config = await loadConfig();
    const me = await new Api(config).json<Me>('GET', '/auth/me');
    if (!me.authenticated) {
      throw new CliError(
        'the server refused the stored token (invalid, expired or revoked)',
        EXIT.auth,
      );
    }
    const project = values.project ?? me.active_project_id ?? undefined;
    const jobs = project
      ? await new Api(config, project).json<JobStatus>('GET', '/jobs/status')
      : null;
    if (values.json) {
      return writeLine(
        JSON.stringify({ url: config.url, me, project_id: project ?? null, jobs }, null, 2),
      );
    }
    await writeLine(`${config.url} · ${me.username} (${me.role}) via ${me.via}`);
    if (!jobs) return writeLine('Several projects: pass --project ID for a project’s status.');
    await writeLine(`project ${project}`);
    const e = jobs.entities;
    await writeLine(
      `  ${e.conversations} conversations · ${e.messages} messages · ${e.contacts} contacts · ${e.chunks} chunks (${jobs.rag_counts.ready} embedded, ${jobs.rag_counts.pending} pending)`,
    );
    for (const run of jobs.latest_runs) {
      await writeLine(
        `  ${run.job_name}: ${run.status}${run.finished_at ? ` at ${run.finished_at}` : ''}${run.error ? ` (${run.error})` : ''}`,
      );
    }
    await writeLine(`  storage ${jobs.storage.usage_pct.toFixed(1)}% of budget`);
  },
});
