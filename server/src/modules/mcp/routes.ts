import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { createEmbeddingProvider } from '../rag/embeddings/provider.js';
import { createMcpServer } from './server.js';

const tags = ['mcp'];

/**
 * The MCP server (issue 20, docs/mcp.md): Streamable HTTP at `/mcp`, stateless (no
 * Mcp-Session-Id; every POST carries its own token and gets a fresh server), JSON responses.
 * The access guard (http/access.ts) authenticates the bearer token exactly as for REST routes; the
 * route itself asks only `self:read`, and each tool checks its own project permission per call.
 */
export const mcpRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const provider = createEmbeddingProvider(app.config);
  const allowedOrigin = new URL(app.config.CORS_ORIGIN).origin;

  /**
   * Browsers send Origin; only the configured web origin may drive the server (DNS rebinding).
   * Assistants hold tokens, not cookies: the routes are `access: 'token'`, so a session alone is 401.
   */
  const checkCaller = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== allowedOrigin) {
      throw new AppError('forbidden', `origin ${origin} may not use the MCP server`);
    }
  };

  app.post(
    '/mcp',
    {
      config: { access: 'token', permission: 'self:read' },
      schema: {
        tags,
        summary:
          'Model Context Protocol, Streamable HTTP (stateless, JSON-RPC 2.0 in the body); personal token only',
        description:
          'For assistants (Claude, Cursor…): tools search_evidence, get_thread, get_evidence, get_person, list_signals and ' +
          'draft_outbound (drafts only), resources cairn://projects/{id}/conversations/{cid}. ' +
          'Client text comes back inside a quoted-data wrapper. Configuration: docs/mcp.md.',
        security: [{ token: [] }],
      },
    },
    async (request, reply) => {
      checkCaller(request);
      const server = createMcpServer({
        database: app.database,
        config: app.config,
        provider,
        user: request.user!,
        token: request.token!,
        requestId: request.id,
      });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      hijack(reply);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  );

  // No server-initiated stream and no sessions to end: GET and DELETE are 405 (the transport
  // specification's answer for a server that offers neither).
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      config: { access: 'token', permission: 'self:read' },
      schema: {
        tags,
        summary: `${method}: 405, this MCP server is stateless and offers no stream`,
      },
      handler: async (request, reply) => {
        checkCaller(request);
        return reply
          .code(405)
          .header('allow', 'POST')
          .send({
            jsonrpc: '2.0',
            error: { code: -32000, message: 'Method not allowed: POST JSON-RPC to /mcp' },
            id: null,
          });
      },
    });
  }
};

/**
 * The SDK's transport writes the raw response itself; the headers Fastify's hooks already set
 * (CORS, security headers, request id) are carried over first.
 */
function hijack(reply: FastifyReply) {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value as string | number | string[]);
  }
  reply.hijack();
}
