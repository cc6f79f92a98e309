import { draftOutboundTool } from './draft-outbound.js';
import { getPersonTool } from './get-person.js';
import { getThreadTool } from './get-thread.js';
import { searchEvidenceTool } from './search-evidence.js';
import type { ToolDefinition } from './types.js';

/**
 * Every tool the MCP server lists. None approves, sends or deletes: the only write is a draft
 * that waits for a person (the planted-instruction test in server/test/mcp/ checks this list).
 *
 * `list_signals {status?, kind?, due_before?}` (issue 20) joins here once signals are stored and
 * served (the signals work is in progress; modules/signals/ holds only detectors today): one file
 * beside these, reading through the signals module's own query with `projectFor(…, 'project:read')`.
 */
export const MCP_TOOLS: readonly ToolDefinition[] = [
  searchEvidenceTool,
  getThreadTool,
  getPersonTool,
  draftOutboundTool,
];
