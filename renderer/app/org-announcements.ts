/**
 * The org's own announcements in the app (SPEC §12.5): the host keeps each recording on disk and says
 * when the set changes; this module reads the audio over the bridge, puts it in force on the phone
 * (`useAnnouncement`), and plays previews through the app's one output path. The built-in clips play
 * whenever the org has none, or before its recording is here.
 */
import type { AnnouncementKind } from '../../shared/announcements';
import { ANNOUNCEMENT_KINDS } from '../../shared/announcements';
import type { BlocklineApi } from '../../shared/contracts/ipc';
import { AnnouncementAudio } from '../phone/announcement';
import type { AudioOutput } from '../phone/audio-output';
import type { Phone } from '../phone/types';

interface OrgClip {
  version: string;
  audio: ArrayBuffer;
}

export interface OrgAnnouncements {
  /** Puts the org's clips kept here in force on a (new) phone. */
  applyTo(phone: Phone): Promise<void>;
  /** Plays the announcement in force (the org's or the built-in one) to the agent; resolves when it ends. */
  preview(kind: AnnouncementKind): Promise<void>;
  stop(): void;
}

function bytesOf(base64: string): ArrayBuffer {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}

export function createOrgAnnouncements(
  api: BlocklineApi,
  output: AudioOutput,
  builtInUrl: Record<AnnouncementKind, string>,
  currentPhone: () => Phone | null,
): OrgAnnouncements {
  const clips: Record<AnnouncementKind, OrgClip | null> = { inbound: null, outbound: null };
  const previews = new AnnouncementAudio(output);
  let loading: Promise<void> = Promise.resolve();

  // decodeAudioData takes its buffer away: every consumer gets its own copy.
  const copyOf = (clip: OrgClip | null) => (clip === null ? null : { ...clip, audio: clip.audio.slice(0) });

  const apply = async (phone: Phone, kind: AnnouncementKind) => {
    try {
      await phone.useAnnouncement(kind, copyOf(clips[kind]));
    } catch (error) {
      console.error(`[announcements] the org's ${kind} clip cannot be played; the built-in one stays`, error);
    }
  };

  const reload = (kinds: readonly AnnouncementKind[]) => {
    loading = loading.then(async () => {
      for (const kind of kinds) {
        const kept = await api.invoke('announcements:get', { kind }).catch(() => null);
        clips[kind] = kept === null ? null : { version: kept.info.version, audio: bytesOf(kept.audioBase64) };
        const phone = currentPhone();
        if (phone) await apply(phone, kind);
      }
    });
    return loading;
  };

  const off = api.on('announcements:changed', (state) => {
    const changed = ANNOUNCEMENT_KINDS.filter(
      (kind) => (state[kind]?.version ?? null) !== (clips[kind]?.version ?? null),
    );
    if (changed.length > 0) void reload(changed);
  });
  void reload(ANNOUNCEMENT_KINDS);

  return {
    async applyTo(phone) {
      await loading;
      for (const kind of ANNOUNCEMENT_KINDS) await apply(phone, kind);
    },
    async preview(kind) {
      await loading;
      const clip = clips[kind];
      if (clip === null) {
        await previews.playLocally(builtInUrl[kind]);
        return;
      }
      const key = `org-announcement:${kind}:${clip.version}`;
      await previews.provide(key, clip.audio.slice(0));
      await previews.playLocally(key);
      previews.forget(key);
    },
    stop: off,
  };
}
