// Size presets. A preset names the studio (shared with the Attio simulator and paired with the
// Chatwoot size of the same name) and how much tracker work it holds.
import {
  resolveSimSize,
  type ResolvedSimSize,
  type SimSize,
  type StudioSizeName,
} from '@cairn/studio';

export type LinearSizeName = StudioSizeName;
/** `{ studio?, issues, comments }`: comments in all, spread over the issues. */
export type ExplicitLinearSize = SimSize<'issues' | 'comments'>;
export type ResolvedLinearSize = ResolvedSimSize<'issues' | 'comments'>;

const PRESETS: Record<LinearSizeName, ResolvedLinearSize> = {
  tiny: { studio: 'tiny', issues: 60, comments: 180 },
  small: { studio: 'small', issues: 600, comments: 1_800 },
  medium: { studio: 'medium', issues: 4_000, comments: 12_000 },
  // The connectors' bench: 20,000 issues and 60,000 comments.
  bench: { studio: 'bench', issues: 20_000, comments: 60_000 },
};

export function resolveLinearSize(
  size: LinearSizeName | ExplicitLinearSize | undefined,
): ResolvedLinearSize {
  return resolveSimSize(size, PRESETS, ['issues', 'comments']);
}
