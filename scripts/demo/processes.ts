/**
 * The demo's child processes: each started directly (no `npx`/shell in between, so the PID we hold is
 * the process that must exit), its output passed through line by line, and stopped by PID — SIGTERM,
 * a bounded wait, then SIGKILL — in the reverse order of starting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Sees every output line first; returning false keeps it off the terminal (tokens, early URLs). */
  onLine?: (line: string) => boolean;
}

export interface Supervised {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, up to `graceMs` for the process to exit, then SIGKILL and wait for it. */
export async function stopProcess(entry: Supervised, graceMs: number): Promise<void> {
  if (hasExited(entry.child)) return;
  entry.child.kill('SIGTERM');
  const stopped = await Promise.race([entry.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (stopped) return;
  console.log(`[blockline] ${entry.name} did not stop within ${graceMs} ms: killing it`);
  entry.child.kill('SIGKILL');
  await entry.exited;
}

export class Supervisor {
  private readonly entries: Supervised[] = [];
  private stopping = false;

  /** Called when a child exits on its own (not during stopAll). */
  constructor(
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void,
  ) {}

  start(name: string, command: string, args: string[], options: ChildOptions = {}): Supervised {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches only us, and we stop the children in order (the app
      // before the PBX, so its line unregisters).
      detached: process.platform !== 'win32',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const entry: Supervised = { name, child, exited };
    for (const stream of [child.stdout, child.stderr]) {
      const lines = createInterface({ input: stream });
      lines.on('line', (line) => {
        if (options.onLine?.(line) === false) return;
        console.log(line);
      });
    }
    child.once('error', (error) => console.log(`[blockline] could not start ${name}: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit(name, code, signal);
    });
    this.entries.push(entry);
    return entry;
  }

  /** Stops every child, newest first, each by its own PID within `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const entry of [...this.entries].reverse()) await stopProcess(entry, graceMs);
  }
}

/**
 * npm runs scripts through a shell, and a SIGTERM sent to npm ends that shell without passing the
 * signal on, leaving us orphaned: when our parent goes, stop as if we had been sent SIGTERM.
 */
export function stopWhenParentGoes(): void {
  const parentAtStart = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentAtStart) process.kill(process.pid, 'SIGTERM');
  }, 250).unref();
}
