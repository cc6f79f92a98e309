// Size presets. A preset names the studio (shared with the Linear simulator and paired with the
// Chatwoot size of the same name; people and companies come from it) and how many notes and tasks
// the CRM holds.
import {
  resolveSimSize,
  type ResolvedSimSize,
  type SimSize,
  type StudioSizeName,
} from '@cairn/studio';

export type AttioSizeName = StudioSizeName;
/** `{ studio?, notes, tasks }`. */
export type ExplicitAttioSize = SimSize<'notes' | 'tasks'>;
export type ResolvedAttioSize = ResolvedSimSize<'notes' | 'tasks'>;

const PRESETS: Record<AttioSizeName, ResolvedAttioSize> = {
  tiny: { studio: 'tiny', notes: 60, tasks: 30 },
  small: { studio: 'small', notes: 600, tasks: 300 },
  medium: { studio: 'medium', notes: 4_000, tasks: 1_500 },
  // The connectors' bench: 2,000 companies and 5,125 people (the studio; 5,000 of them are Attio
  // people with the bench's seed) and 20,000 notes.
  bench: { studio: 'bench', notes: 20_000, tasks: 5_000 },
};

export function resolveAttioSize(
  size: AttioSizeName | ExplicitAttioSize | undefined,
): ResolvedAttioSize {
  return resolveSimSize(size, PRESETS, ['notes', 'tasks']);
}
