import { draftOutboundTool } from './draft-outbound.js';
import { getEvidenceTool } from './get-evidence.js';
import { getPersonTool } from './get-person.js';
import { getThreadTool } from './get-thread.js';
import { listSignalsTool } from './list-signals.js';
import { searchEvidenceTool } from './search-evidence.js';
import type { ToolDefinition } from './types.js';

/**
 * Every tool the MCP server lists. None approves, sends or deletes: the only write is a draft
 * that waits for a person (the planted-instruction test in server/test/mcp/ checks this list).
 */
export const MCP_TOOLS: readonly ToolDefinition[] = [
  searchEvidenceTool,
  getThreadTool,
  getEvidenceTool,
  getPersonTool,
  listSignalsTool,
  draftOutboundTool,
];
