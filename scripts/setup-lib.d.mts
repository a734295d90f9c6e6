// Types for scripts/setup-lib.mjs (plain JavaScript so it runs before dependencies are installed).
import type { SpawnSyncReturns } from 'node:child_process';

export interface HostSystem {
  systemdRunning(): boolean;
  policyExists(): boolean;
  asRoot(command: string, args: string[]): SpawnSyncReturns<Buffer> | { status: number | null };
  unitIs(state: 'is-active' | 'is-enabled', unit: string): boolean;
}
export function holdPackagedServices(packages: string[], system?: HostSystem): () => void;
export function say(message: string): void;
export function electronBinaryPath(): string | null;
