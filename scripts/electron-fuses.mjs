// The packaged app's Electron fuses (SPEC §11.6): bits in the Electron binary that turn features off for
// good, flipped by electron-builder's `afterPack` hook (electron-builder.yml) on the packaged binary just
// before it is signed, so the signature then covers them. One function decides them per platform; the
// unit test, the afterPack hook and the hosted workflow's check of the built app all read it.
//
// electron-builder's own `electronFuses` option would do the flipping too, but it takes one setting for
// every platform, and ASAR integrity exists only on macOS and Windows.
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { Arch } from 'electron-builder';

/** Where Electron checks app.asar against the hash electron-builder embeds (Info.plist, the .exe's resources). */
export const ASAR_INTEGRITY_PLATFORMS = ['darwin', 'mas', 'win32'];

/**
 * The fuse settings for one of electron-builder's `electronPlatformName`s (darwin, mas, win32, linux) and
 * architectures (x64, arm64, universal, …).
 */
export function fuseConfigFor(electronPlatformName, archName = 'x64') {
  const macOS = electronPlatformName === 'darwin' || electronPlatformName === 'mas';
  return {
    version: FuseVersion.V1,
    // Flipping bits breaks the binary's ad-hoc signature, and Apple silicon refuses to run an unsigned
    // binary. electron-builder signs afterwards when it has an identity; without one this keeps it runnable.
    resetAdHocDarwinSignature: macOS && (archName === 'arm64' || archName === 'universal'),
    // ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node that runs any script.
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    // NODE_OPTIONS (--require …) and --inspect / SIGUSR1 would let anyone who starts the app run code in it.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]:
      ASAR_INTEGRITY_PLATFORMS.includes(electronPlatformName),
    // Only app.asar (never a loose resources/app folder someone drops next to it).
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // Electron's default: we ship no browser-process V8 snapshot.
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    // Electron's default, kept: the renderer is served from file:// (electron/main.ts intercepts it and
    // serves only its own files), and its module scripts load over file://.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
  };
}

/** The fuse names (as `@electron/fuses read` prints them) with the state each must read back as. */
export function expectedFuseStates(electronPlatformName) {
  const config = fuseConfigFor(electronPlatformName);
  return Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => /^\d+$/.test(key))
      .map(([key, on]) => [FuseV1Options[Number(key)], on ? 'Enabled' : 'Disabled']),
  );
}

/** electron-builder's afterPack hook (`afterPack: ./scripts/electron-fuses.mjs`). */
export async function afterPack(context) {
  await context.packager.addElectronFuses(
    context,
    fuseConfigFor(context.electronPlatformName, Arch[context.arch]),
  );
}

export default afterPack;
