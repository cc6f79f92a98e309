// Size presets of the Linear and Attio simulators: a studio preset plus counts of their own.
import { STUDIO_PRESETS } from '../studio/build-studio.js';
import type { StudioSize, StudioSizeName } from '../studio/types.js';

export type SimSize<Counts extends string> = { studio?: StudioSizeName | StudioSize } & Record<
  Counts,
  number
>;

export type ResolvedSimSize<Counts extends string> = {
  studio: StudioSizeName | StudioSize;
} & Record<Counts, number>;

/** A preset by name, or explicit counts checked to be non-negative integers. */
export function resolveSimSize<Counts extends string>(
  size: StudioSizeName | SimSize<Counts> | undefined,
  presets: Readonly<Record<StudioSizeName, ResolvedSimSize<Counts>>>,
  counts: readonly Counts[],
): ResolvedSimSize<Counts> {
  if (size === undefined) return presets.tiny;
  if (typeof size === 'string') {
    const preset = presets[size];
    if (!preset)
      throw new Error(`unknown size "${String(size)}" (${Object.keys(presets).join(', ')})`);
    return preset;
  }
  for (const key of counts) {
    if (!Number.isInteger(size[key]) || size[key] < 0)
      throw new Error(`size.${key} must be a non-negative integer`);
  }
  if (typeof size.studio === 'string' && !STUDIO_PRESETS[size.studio])
    throw new Error(`unknown studio size "${size.studio}"`);
  return { ...size, studio: size.studio ?? 'tiny' };
}

/** The body of `PUT /__sim/webhooks`: `{url: string | null, secret?: string}`. */
export function webhookConfigBody(body: Record<string, unknown>): {
  url: string | null;
  secret: string | undefined;
} {
  const { url, secret } = body;
  if (url !== null && typeof url !== 'string') throw new Error('url must be a string or null');
  if (secret !== undefined && typeof secret !== 'string')
    throw new Error('secret must be a string');
  return { url, secret };
}
