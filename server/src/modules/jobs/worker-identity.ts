import { randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * Worker ids read `<host>:<pid>:<process nonce>.<runtime>`: the host and pid say where a run is
 * (readable in job_runs), the nonce tells this process apart from an earlier one that had the same
 * pid on the same host (a container restarted: pid 1 again), and the last part tells apart the
 * runtimes of one process (tests start several).
 */
const PROCESS_NONCE = randomBytes(4).toString('hex');

export const defaultWorkerId = () =>
  `${os.hostname()}:${process.pid}:${PROCESS_NONCE}.${randomBytes(2).toString('hex')}`;

const WORKER_ID = /^(.+):(\d+):([0-9a-f]+)\.[0-9a-f]+$/;

/**
 * True when `workerId` names a process of this host that is no longer running: a previous run of
 * this server (killed with -9, or a restarted container) or a worker on this host that died. Only
 * this host's processes can be checked; any other owner is judged by its heartbeat alone. A
 * recycled pid makes a dead owner look alive, which only delays its reaping to the heartbeat rule.
 */
export function ownerIsGone(workerId: string | null): boolean {
  const match = workerId ? WORKER_ID.exec(workerId) : null;
  if (!match || match[1] !== os.hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return match[3] !== PROCESS_NONCE;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid is alive but someone else's; only ESRCH means no such process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
