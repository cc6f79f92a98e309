// Size presets. A preset names the studio (shared with the Attio simulator and paired with the
// Chatwoot size of the same name) and how much tracker work it holds.
import { STUDIO_PRESETS, type StudioSize, type StudioSizeName } from '@cairn/studio';

export type LinearSizeName = StudioSizeName;

export interface ExplicitLinearSize {
  /** A studio preset or its parts; defaults to `tiny`. */
  studio?: StudioSizeName | StudioSize;
  issues: number;
  /** Comments in all, spread over the issues. */
  comments: number;
}

export interface ResolvedLinearSize {
  studio: StudioSizeName | StudioSize;
  issues: number;
  comments: number;
}

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
  if (size === undefined) return PRESETS.tiny;
  if (typeof size === 'string') {
    const preset = PRESETS[size];
    if (!preset)
      throw new Error(`unknown size "${String(size)}" (${Object.keys(PRESETS).join(', ')})`);
    return preset;
  }
  for (const key of ['issues', 'comments'] as const) {
    if (!Number.isInteger(size[key]) || size[key] < 0)
      throw new Error(`size.${key} must be a non-negative integer`);
  }
  if (size.studio !== undefined && typeof size.studio === 'string' && !STUDIO_PRESETS[size.studio])
    throw new Error(`unknown studio size "${size.studio}"`);
  return { studio: size.studio ?? 'tiny', issues: size.issues, comments: size.comments };
}
