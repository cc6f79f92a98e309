import { ensureWebBuild } from './stack';

/** Builds the web UI once for the run, before any file starts a stack (files run side by side). */
export default function setup() {
  ensureWebBuild();
}
