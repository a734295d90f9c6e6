/**
 * The org's own announcements (SPEC §12.5): which ones there are, what an upload may be, and what the
 * snapshot and the change feed say about the one in use. The audio itself goes over its own route.
 */
import { z } from 'zod';
import { isoDateTimeSchema } from './rules';

/** `inbound`: what a blocked caller hears (§3.4); `outbound`: what an agent calling a blocked number hears (§3.5). */
export const announcementKindSchema = z.enum(['inbound', 'outbound']);
export type AnnouncementKind = z.infer<typeof announcementKindSchema>;
export const ANNOUNCEMENT_KINDS: readonly AnnouncementKind[] = announcementKindSchema.options;

/** The largest upload, in bytes (the request body limit of that route alone). */
export const ANNOUNCEMENT_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The longest recording per kind, in ms: a robocall burst plays the inbound one to every blocked caller
 * at once (§3.6), so it stays short.
 */
export const ANNOUNCEMENT_MAX_MS: Readonly<Record<AnnouncementKind, number>> = {
  inbound: 10_000,
  outbound: 30_000,
};

/**
 * The upload's container, from its Content-Type. Ogg holds Vorbis or Opus: the server tells them apart
 * by the stream's own header, whatever the type's `codecs=` parameter says.
 */
export type AnnouncementUploadFormat = 'wav' | 'mp3' | 'ogg';
const UPLOAD_TYPES: Readonly<Record<string, AnnouncementUploadFormat>> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
  'application/ogg': 'ogg',
  // `.opus` files: what some systems call them (the freedesktop name on Linux desktops).
  'audio/opus': 'ogg',
  'audio/x-opus+ogg': 'ogg',
};
export const ANNOUNCEMENT_UPLOAD_TYPES: readonly string[] = Object.keys(UPLOAD_TYPES);

/** The format a Content-Type header names (parameters and case ignored), or null when not accepted. */
export function uploadFormatOf(contentType: string | undefined): AnnouncementUploadFormat | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return UPLOAD_TYPES[type] ?? null;
}

/** What the server stores and the apps play: the codec of the built-in clips. */
export const ANNOUNCEMENT_AUDIO_TYPE = 'audio/wav';
export const ANNOUNCEMENT_SAMPLE_RATE = 16_000;

/** The org's recording in use for one kind; null in the snapshot means the built-in one. */
export const announcementInfoSchema = z.object({
  /** Changes whenever the audio does (a hash of it): the app downloads a version once. */
  version: z.string().min(1).max(64),
  durationMs: z.number().int().nonnegative(),
  updatedAt: isoDateTimeSchema,
});
export type AnnouncementInfo = z.infer<typeof announcementInfoSchema>;

export const announcementsSchema = z.object({
  inbound: announcementInfoSchema.nullable(),
  outbound: announcementInfoSchema.nullable(),
});
export type Announcements = z.infer<typeof announcementsSchema>;
export const BUILT_IN_ANNOUNCEMENTS: Announcements = { inbound: null, outbound: null };
