/**
 * The org's own announcements (SPEC §12.5): replacing one with an uploaded recording (decoded and
 * normalized by announcement-audio.ts), going back to the built-in one, and reading what the apps play.
 * Each change is one `announcement_updated` change (the apps download the new version once) and one
 * audit entry.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  ANNOUNCEMENT_KINDS,
  ANNOUNCEMENT_MAX_MS,
  BUILT_IN_ANNOUNCEMENTS,
  type AnnouncementInfo,
  type AnnouncementKind,
  type AnnouncementUploadFormat,
  type Announcements,
} from '../shared/announcements';
import { AudioInputError, decodeUpload, normalizeAnnouncement } from './announcement-audio';
import type { DB } from './db/schema';
import { ApiError } from './errors';
import type { Actor, Repository } from './repository';

function infoOf(row: { version: string; duration_ms: number; updated_at: string }): AnnouncementInfo {
  return { version: row.version, durationMs: Number(row.duration_ms), updatedAt: row.updated_at };
}

/** The org's announcements in use (null: the built-in one), for the snapshot. */
export async function announcementInfos(executor: Kysely<DB>, orgId: string): Promise<Announcements> {
  const rows = await executor
    .selectFrom('announcements')
    .select(['kind', 'version', 'duration_ms', 'updated_at'])
    .where('org_id', '=', orgId)
    .execute();
  const infos: Announcements = { ...BUILT_IN_ANNOUNCEMENTS };
  for (const row of rows)
    if ((ANNOUNCEMENT_KINDS as readonly string[]).includes(row.kind))
      infos[row.kind as AnnouncementKind] = infoOf(row);
  return infos;
}

/** The audio the apps play for one kind, or null while the org uses the built-in one. */
export async function announcementAudio(
  store: Repository,
  orgId: string,
  kind: AnnouncementKind,
): Promise<{ info: AnnouncementInfo; audio: Uint8Array } | null> {
  const row = await store.db
    .selectFrom('announcements')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row === undefined ? null : { info: infoOf(row), audio: row.audio };
}

/** Decodes and normalizes an upload; refusals are 400s that say what is wrong with the file. */
async function prepare(bytes: Uint8Array, format: AnnouncementUploadFormat, kind: AnnouncementKind) {
  const maxMs = ANNOUNCEMENT_MAX_MS[kind];
  try {
    return normalizeAnnouncement(await decodeUpload(bytes, format, maxMs));
  } catch (error) {
    if (!(error instanceof AudioInputError)) throw error;
    if (error.reason === 'too_long')
      throw new ApiError(
        400,
        'audio_too_long',
        `the ${kind} announcement may be at most ${maxMs / 1000} s long${
          error.durationMs === undefined ? '' : `; this one is ${(error.durationMs / 1000).toFixed(1)} s`
        }`,
        { max: maxMs, ...(error.durationMs === undefined ? {} : { got: error.durationMs }) },
      );
    throw new ApiError(400, 'invalid_audio', error.message, {
      reason: error.reason,
      ...(error.codec === undefined ? {} : { codec: error.codec }),
    });
  }
}

/** The org's own clip for `kind` as it stands inside a write (undefined: the built-in one plays). */
function announcementInUse(tx: Kysely<DB>, orgId: string, kind: AnnouncementKind) {
  return tx
    .selectFrom('announcements')
    .select(['version', 'duration_ms', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

export async function replaceAnnouncement(
  store: Repository,
  orgId: string,
  kind: AnnouncementKind,
  upload: { bytes: Uint8Array; format: AnnouncementUploadFormat },
  actor: Actor,
): Promise<AnnouncementInfo> {
  // Decoding is the slow part: done before the org's write lock is taken.
  const clip = await prepare(upload.bytes, upload.format, kind);
  const version = createHash('sha256').update(clip.wav).digest('hex').slice(0, 16);
  return store.writeOrg(orgId, async (write) => {
    const before = await announcementInUse(write.tx, orgId, kind);
    const info: AnnouncementInfo = { version, durationMs: clip.durationMs, updatedAt: write.nowIso };
    if (before?.version === version) return infoOf(before);
    await write.tx.deleteFrom('announcements').where('org_id', '=', orgId).where('kind', '=', kind).execute();
    await write.tx
      .insertInto('announcements')
      .values({
        org_id: orgId,
        kind,
        version,
        duration_ms: clip.durationMs,
        audio: clip.wav,
        updated_at: write.nowIso,
        updated_by: actor.id,
      })
      .execute();
    write.addChange({ type: 'announcement_updated', kind, announcement: info });
    write.audit(
      actor,
      'announcement.replaced',
      kind,
      before === undefined ? { builtIn: true } : infoOf(before),
      {
        ...info,
        format: upload.format,
        ...(clip.codec === undefined ? {} : { codec: clip.codec }),
        uploadBytes: upload.bytes.length,
        inputLevelDbfs: clip.inputLevelDbfs,
        levelDbfs: clip.levelDbfs,
        gainDb: clip.gainDb,
      },
    );
    return info;
  });
}

/** Back to the built-in announcement; nothing changes (and nothing is logged) if it is in use already. */
export async function revertAnnouncement(
  store: Repository,
  orgId: string,
  kind: AnnouncementKind,
  actor: Actor,
): Promise<void> {
  await store.writeOrg(orgId, async (write) => {
    const before = await announcementInUse(write.tx, orgId, kind);
    if (before === undefined) return;
    await write.tx.deleteFrom('announcements').where('org_id', '=', orgId).where('kind', '=', kind).execute();
    write.addChange({ type: 'announcement_updated', kind, announcement: null });
    write.audit(actor, 'announcement.reverted', kind, infoOf(before), { builtIn: true });
  });
}
