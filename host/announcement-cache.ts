/**
 * The org's announcements kept on this computer (SPEC §12.5): the sync feed says which version of each
 * is in use (the snapshot, `announcement_updated` changes); each new version is downloaded once, written
 * next to the store, and played from there — also offline and after a restart. Until a version is
 * here, the one before it (or the built-in clip) keeps playing: a blocked call never waits for a
 * download. A failed download is tried again when sync next connects.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  ANNOUNCEMENT_KINDS,
  announcementInfoSchema,
  BUILT_IN_ANNOUNCEMENTS,
  type AnnouncementInfo,
  type AnnouncementKind,
  type Announcements,
} from '../shared/announcements';
import { errorMessage } from '../shared/error-message';
import type { ApiResult } from './api-client';

/** What the cache needs of the org server. */
export interface AnnouncementSource {
  announcementAudio(
    kind: AnnouncementKind,
  ): Promise<ApiResult<{ version: string | null; audio: Uint8Array }>>;
}

export interface AnnouncementCacheOptions {
  /** The folder for the clips and their index (inside the app's profile). */
  dir: string;
  /** The server to download from, or null while signed out. */
  source: () => AnnouncementSource | null;
  /** The set of clips kept here changed (the phone switches to it). */
  onChange: (state: Announcements) => void;
  log: (message: string) => void;
}

const indexSchema = z.object({
  /** What is on disk here, per kind. */
  kept: z.object({ inbound: announcementInfoSchema.nullable(), outbound: announcementInfoSchema.nullable() }),
});

const INDEX_FILE = 'index.json';

export class AnnouncementCache {
  private kept: Announcements;
  /** What the server says is in use (null: built-in); undefined until the feed has said. */
  private wanted: Partial<Record<AnnouncementKind, AnnouncementInfo | null>> = {};
  private readonly downloads = new Map<AnnouncementKind, Promise<void>>();
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: AnnouncementCacheOptions) {
    this.kept = this.readIndex();
  }

  /** Synchronous on purpose: the clips kept here are in force from the first instant, like the list. */
  private readIndex(): Announcements {
    try {
      const parsed = indexSchema.safeParse(JSON.parse(readFileSync(this.indexPath(), 'utf8')));
      return parsed.success ? parsed.data.kept : { ...BUILT_IN_ANNOUNCEMENTS };
    } catch {
      return { ...BUILT_IN_ANNOUNCEMENTS };
    }
  }

  private indexPath(): string {
    return path.join(this.options.dir, INDEX_FILE);
  }

  private clipPath(kind: AnnouncementKind, version: string): string {
    return path.join(this.options.dir, `${kind}-${version.replace(/[^0-9a-zA-Z]/g, '')}.wav`);
  }

  /** The clips kept here (null: the built-in one plays). */
  state(): Announcements {
    return { ...this.kept };
  }

  /** The audio of the org's clip kept here for a kind, or null. */
  async audio(kind: AnnouncementKind): Promise<{ info: AnnouncementInfo; audio: Uint8Array } | null> {
    const info = this.kept[kind];
    if (info === null) return null;
    try {
      return { info, audio: await readFile(this.clipPath(kind, info.version)) };
    } catch (error) {
      this.options.log(
        `announcements: the ${kind} clip is missing here (${errorMessage(error)}): built-in until it is fetched again`,
      );
      await this.keep(kind, null);
      if (this.wanted[kind]) void this.fetch(kind);
      return null;
    }
  }

  /** The whole set, from a snapshot. */
  setAll(announcements: Announcements): void {
    for (const kind of ANNOUNCEMENT_KINDS) this.set(kind, announcements[kind]);
  }

  /** One kind, from the change feed (null: back to the built-in one). */
  set(kind: AnnouncementKind, info: AnnouncementInfo | null): void {
    this.wanted[kind] = info;
    if (info === null) {
      if (this.kept[kind] !== null) void this.keep(kind, null);
      return;
    }
    if (this.kept[kind]?.version !== info.version) void this.fetch(kind);
  }

  /** Fetches what is wanted and not yet here (after a failed download, when sync connects again). */
  retry(): void {
    for (const kind of ANNOUNCEMENT_KINDS) {
      const wanted = this.wanted[kind];
      if (wanted && this.kept[kind]?.version !== wanted.version) void this.fetch(kind);
    }
  }

  /** Signed out, or another org: nothing of this org's stays. */
  async clear(): Promise<void> {
    this.wanted = {};
    for (const kind of ANNOUNCEMENT_KINDS) await this.keep(kind, null);
  }

  /** Resolves when downloads and writes under way are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.downloads.size > 0) await Promise.all(this.downloads.values());
    await this.writes;
  }

  private fetch(kind: AnnouncementKind): Promise<void> {
    const running = this.downloads.get(kind);
    if (running) return running;
    const download = this.download(kind).finally(() => this.downloads.delete(kind));
    this.downloads.set(kind, download);
    return download;
  }

  private async download(kind: AnnouncementKind): Promise<void> {
    // The wanted version may move on while one downloads: go again until level with it.
    for (let round = 0; round < 3; round++) {
      const wanted = this.wanted[kind];
      if (!wanted || this.kept[kind]?.version === wanted.version) return;
      const source = this.options.source();
      if (source === null) return;
      const result = await source.announcementAudio(kind);
      if (!result.ok) {
        // 404: reverted meanwhile; the feed's next change says so.
        this.options.log(`announcements: could not fetch the ${kind} clip: ${result.message}`);
        return;
      }
      const version = result.value.version ?? wanted.version;
      if (this.wanted[kind]?.version !== version) continue;
      await mkdir(this.options.dir, { recursive: true });
      const target = this.clipPath(kind, version);
      const temporary = `${target}.${process.pid}.tmp`;
      await writeFile(temporary, result.value.audio);
      await rename(temporary, target);
      await this.keep(kind, { ...wanted, version });
      this.options.log(
        `announcements: the org's ${kind} clip ${version} is kept here (${result.value.audio.length} bytes)`,
      );
    }
  }

  /** Records what is kept for a kind (removing the file it replaces) and tells the phone. */
  private async keep(kind: AnnouncementKind, info: AnnouncementInfo | null): Promise<void> {
    const previous = this.kept[kind];
    if (previous?.version === info?.version && (previous === null) === (info === null)) return;
    this.kept = { ...this.kept, [kind]: info };
    const kept = this.kept;
    this.writes = this.writes.then(async () => {
      try {
        await mkdir(this.options.dir, { recursive: true });
        const temporary = `${this.indexPath()}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify({ kept }));
        await rename(temporary, this.indexPath());
        if (previous !== null && previous.version !== info?.version)
          await rm(this.clipPath(kind, previous.version), { force: true });
      } catch (error) {
        this.options.log(`announcements: could not write the index: ${errorMessage(error)}`);
      }
    });
    await this.writes;
    this.options.onChange(this.state());
  }
}
