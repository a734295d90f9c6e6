// Types for scripts/dist.mjs (plain JavaScript so it runs before dependencies are compiled).
export function electronBinaryStatus(): { path: string; reason: null } | { path: null; reason: string };
export function publishArgsFromEnv(env: Record<string, string | undefined>): string[];
export function platformFlag(platform: NodeJS.Platform): '--win' | '--mac' | '--linux';
