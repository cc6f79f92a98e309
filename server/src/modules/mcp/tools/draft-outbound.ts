import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { runIdempotent } from '../../outbound/idempotency.js';
import { preflight } from '../../outbound/preflight.js';
import { createDraft } from '../../outbound/service.js';
import { ProjectIdArg, projectFor, type McpContext } from '../context.js';
import { EVIDENCE_ROW_SOURCES } from './get-evidence.js';
import { defineTool } from './types.js';

interface StoredDraft {
  id: string;
  status: string;
  channel: string;
  recipient_ref: string;
  created_at: string;
}

const APPROVAL_NOTE =
  'This is a draft. Nothing was sent: a person must review and approve it in Cairn, and no MCP tool can approve or send.';

/**
 * `draft_outbound`: the same draft as `POST /outbound/draft` (modules/outbound/service.ts), made
 * with the token's `outbound:draft` permission, which only a `draft` token holds. The audit trail
 * names the token by its prefix as the author, so a reviewer sees an assistant wrote it.
 */
export const draftOutboundTool = defineTool({
  name: 'draft_outbound',
  title: 'Draft a reply',
  description:
    'Writes a draft reply to a client (into a Chatwoot conversation, or an email to a contact) that waits for a person to approve it in Cairn. Never sends. Returns the draft and what its preflight would decide now. Needs a draft token.',
  inputSchema: {
    recipient_ref: z
      .string()
      .min(1)
      .max(300)
      .describe('chatwoot: the conversation id (cw:…) to reply into; email: a contact id (cwc:…)'),
    channel: z.enum(['chatwoot', 'email']),
    body: z.string().min(1).max(20_000).describe('The message text'),
    subject: z.string().min(1).max(300).optional().describe('Email subject (email only)'),
    evidence_refs: z
      .array(
        z.object({
          source: z.enum(EVIDENCE_ROW_SOURCES),
          ref: z.string().min(1).max(500),
        }),
      )
      .max(50)
      .describe(
        'What the draft rests on: evidence ids from search_evidence (source rag_chunks), or rows: a message, a Linear issue or comment, an Attio note or task (by id or message_id)',
      ),
    idempotency_key: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Repeat a call with the same key to get the same draft instead of a second one'),
    project_id: ProjectIdArg,
  },
  outputSchema: {
    project_id: z.string(),
    draft: z.object({
      id: z.string(),
      status: z.string(),
      channel: z.string(),
      recipient_ref: z.string(),
      created_at: z.string(),
    }),
    needs_approval: z.literal(true),
    preflight: z.object({
      would_send: z.boolean(),
      checks: z.array(z.object({ check: z.string(), outcome: z.string(), reason: z.string() })),
    }),
    note: z.string(),
  },
  annotations: {
    title: 'Draft a reply',
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  async run(ctx, input) {
    const { scope } = await projectFor(ctx, input.project_id, 'outbound:draft');
    const body = {
      channel: input.channel,
      recipient_ref: input.recipient_ref,
      payload: { content: input.body, ...(input.subject ? { subject: input.subject } : {}) },
      idempotency_key: input.idempotency_key ?? randomUUID(),
      evidence_refs: input.evidence_refs,
    };
    const outcome = await runIdempotent({
      database: ctx.database,
      scope,
      userId: ctx.user.id,
      operation: 'outbound.draft',
      key: body.idempotency_key,
      body,
      requestId: ctx.requestId,
      execute: async (trx) => {
        const message = await createDraft(trx, scope, ctx.config, body, tokenActor(ctx));
        const stored = JSON.parse(JSON.stringify({ ok: true, message })) as Record<string, unknown>;
        return { status: 201, body: stored };
      },
    });
    // The stored response: the draft on success, else the error envelope of the first attempt.
    const parsed = JSON.parse(outcome.bodyText) as
      { ok: true; message: StoredDraft } | { ok: false; error: string; message: string };
    if (outcome.status !== 201 || !parsed.ok) {
      const refusal = parsed as { error?: string; message?: string };
      throw new Error(`${refusal.error ?? 'error'}: ${refusal.message ?? 'the draft was refused'}`);
    }
    const message = parsed.message;
    const checks = await preflight(ctx.database, scope, message.id);
    return {
      structured: {
        project_id: scope.projectId,
        draft: {
          id: message.id,
          status: message.status,
          channel: message.channel,
          recipient_ref: message.recipient_ref,
          created_at: message.created_at,
        },
        needs_approval: true as const,
        preflight: {
          would_send: checks.would_send,
          checks: checks.checks.map((c) => ({
            check: c.check,
            outcome: c.outcome,
            reason: c.reason,
          })),
        },
        note: APPROVAL_NOTE,
      },
      text: [
        `Draft ${message.id} created (${message.status}) for ${message.recipient_ref} via ${message.channel}.`,
        `Preflight now: ${checks.checks.map((c) => `${c.check} ${c.outcome}`).join(', ')}.`,
        APPROVAL_NOTE,
      ].join('\n'),
    };
  },
});

/** The author the audit trail records: the user, through which token (by its visible prefix). */
const tokenActor = (ctx: McpContext) => ({
  userId: ctx.user.id,
  username: `${ctx.user.username} via token ${ctx.token.prefix}`,
  requestId: ctx.requestId,
});
