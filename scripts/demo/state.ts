/**
 * What a running `npm start` leaves for the other demo commands (`demo:call`, `demo:agent`) and for a
 * second `npm start`: `data/demo-run.json`, written once everything is ready and removed at stop. The
 * single-instance lock itself (`data/start.pid`) is taken by scripts/start.mjs before anything else.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoPorts } from './config';

export interface DemoRunState {
  pid: number;
  appUrl: string;
  serverUrl: string;
  /** The signed-in lead's SIP account, or null when the demo runs without its PBX. */
  sipUri: string | null;
  pbxUdp: string | null;
  blockedNumber: string;
  allowedNumber: string;
  ports: DemoPorts;
  /** Where the demo's own files are (tokens, caller recordings). */
  dataDir: string;
}

export function runStatePath(dataDir: string): string {
  return path.join(dataDir, 'demo-run.json');
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function writeRunState(state: DemoRunState): void {
  writeFileSync(runStatePath(state.dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function clearRunState(dataDir: string): void {
  rmSync(runStatePath(dataDir), { force: true });
}

/** The state of the `npm start` running now, or null (none, or one that died without cleaning up). */
export function readRunState(dataDir: string): DemoRunState | null {
  const file = runStatePath(dataDir);
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8')) as DemoRunState;
  return processAlive(state.pid) ? state : null;
}
