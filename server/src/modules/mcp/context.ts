import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { ProjectRole } from '../../db/schema.js';
import { tokenProjectScope, type TokenContext, type UserContext } from '../../http/access.js';
import type { Permission } from '../access/permissions.js';
import type { EmbeddingProvider } from '../rag/embeddings/provider.js';
import { z } from 'zod';

/**
 * What every tool and resource of one MCP request works with: the caller the access guard
 * resolved from the bearer token (http/access.ts, the same lookup as every REST route) and the
 * app's services. Built per request; nothing here outlives it.
 */
export interface McpContext {
  database: Database;
  config: Config;
  provider: EmbeddingProvider;
  user: UserContext;
  token: TokenContext;
  requestId: string;
}

export const ProjectIdArg = z
  .uuid()
  .optional()
  .describe(
    "The project to act in; required when the token covers more than one (the token's only project otherwise)",
  );

/**
 * The project a tool call acts in, checked exactly as the REST guard checks X-Cairn-Project: the
 * token must cover it, its user must see it, and token and role together must grant `permission`.
 * Another project reads as not found.
 */
export const projectFor = (
  ctx: McpContext,
  projectId: string | undefined,
  permission: Permission,
): Promise<{ scope: Scope; role: ProjectRole }> =>
  tokenProjectScope(ctx.database, ctx.user, ctx.token, projectId, permission);
