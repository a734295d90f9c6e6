/**
 * Raises this process's open-file limit to its hard limit where the system lets it (Linux, prlimit):
 * every event stream holds a socket, and a server that runs out of descriptors fails everyone's
 * requests, not only the streams'. Node has no setrlimit; util-linux's prlimit does it for a pid.
 */
import { execFileSync } from 'node:child_process';

export interface FileLimit {
  soft: number;
  hard: number;
}

function readLimit(pid: number): FileLimit | null {
  try {
    const text = execFileSync(
      'prlimit',
      ['--pid', String(pid), '--nofile', '--raw', '--noheadings', '--output', 'SOFT,HARD'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const [soft, hard] = text
      .trim()
      .split(/\s+/)
      .map((value) => (value === 'unlimited' ? Infinity : Number(value)));
    return soft !== undefined && hard !== undefined && Number.isFinite(soft) ? { soft, hard } : null;
  } catch {
    return null;
  }
}

/** The limit after trying to raise it; null when it cannot be read here (not Linux, no prlimit). */
export function raiseFileLimit(pid: number = process.pid): FileLimit | null {
  const current = readLimit(pid);
  if (current === null || current.soft >= current.hard) return current;
  const target = Number.isFinite(current.hard) ? String(current.hard) : 'unlimited';
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${target}:${target}`], { stdio: 'ignore' });
  } catch {
    return current;
  }
  return readLimit(pid) ?? current;
}
