// Types for scripts/electron-fuses.mjs (plain JavaScript: electron-builder loads it as a hook).
import type { FuseV1Config } from '@electron/fuses';

export const ASAR_INTEGRITY_PLATFORMS: string[];
export function fuseConfigFor(electronPlatformName: string, archName?: string): FuseV1Config<boolean>;
export function expectedFuseStates(electronPlatformName: string): Record<string, 'Enabled' | 'Disabled'>;
export interface AfterPackContextLike {
  electronPlatformName: string;
  /** electron-builder's Arch enum (0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal). */
  arch: number;
  packager: {
    addElectronFuses(context: AfterPackContextLike, fuses: FuseV1Config<boolean>): Promise<unknown>;
  };
}
export function afterPack(context: AfterPackContextLike): Promise<void>;
export default afterPack;
