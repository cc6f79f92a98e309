// Size presets. A preset names the studio (shared with the Linear simulator and paired with the
// Chatwoot size of the same name) and how many notes and tasks the CRM holds.
import { STUDIO_PRESETS, type StudioSize, type StudioSizeName } from '@cairn/studio';

export type AttioSizeName = StudioSizeName;

export interface ExplicitAttioSize {
  /** A studio preset or its parts; defaults to `tiny`. Companies and people come from it. */
  studio?: StudioSizeName | StudioSize;
  notes: number;
  tasks: number;
}

export interface ResolvedAttioSize {
  studio: StudioSizeName | StudioSize;
  notes: number;
  tasks: number;
}

const PRESETS: Record<AttioSizeName, ResolvedAttioSize> = {
  tiny: { studio: 'tiny', notes: 60, tasks: 30 },
  small: { studio: 'small', notes: 600, tasks: 300 },
  medium: { studio: 'medium', notes: 4_000, tasks: 1_500 },
  // The connectors' bench: 5,000 people, 2,000 companies (the studio) and 20,000 notes.
  bench: { studio: 'bench', notes: 20_000, tasks: 5_000 },
};

export function resolveAttioSize(
  size: AttioSizeName | ExplicitAttioSize | undefined,
): ResolvedAttioSize {
  if (size === undefined) return PRESETS.tiny;
  if (typeof size === 'string') {
    const preset = PRESETS[size];
    if (!preset)
      throw new Error(`unknown size "${String(size)}" (${Object.keys(PRESETS).join(', ')})`);
    return preset;
  }
  for (const key of ['notes', 'tasks'] as const) {
    if (!Number.isInteger(size[key]) || size[key] < 0)
      throw new Error(`size.${key} must be a non-negative integer`);
  }
  if (typeof size.studio === 'string' && !STUDIO_PRESETS[size.studio])
    throw new Error(`unknown studio size "${size.studio}"`);
  return { studio: size.studio ?? 'tiny', notes: size.notes, tasks: size.tasks };
}
