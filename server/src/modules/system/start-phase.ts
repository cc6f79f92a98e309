/**
 * Where a starting server is, as `GET /health` reports it: `starting` (the database is opening;
 * main.ts answers every request with `503 starting` before the app exists), `migrating` (the database is being
 * brought up to date; every other route answers `503 starting`), then, in demo mode,
 * `syncing the demo` and `indexing` (the API works; the demo project is still filling), then
 * `ready`. The web UI shows a starting state from it instead of an error.
 */
export const START_PHASES = [
  'starting',
  'migrating',
  'syncing the demo',
  'indexing',
  'ready',
] as const;
export type StartPhase = (typeof START_PHASES)[number];

export interface StartState {
  readonly phase: StartPhase;
  set(phase: StartPhase): void;
}

export function createStartState(initial: StartPhase = 'ready'): StartState {
  let phase = initial;
  return {
    get phase() {
      return phase;
    },
    set(next) {
      phase = next;
    },
  };
}
