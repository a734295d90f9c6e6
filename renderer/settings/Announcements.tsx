/**
 * Settings → Policies → Announcements (SPEC §7.3, §12.5): both announcements can be previewed on the
 * chosen output device (through the app's one output path); admins and leads may replace either with
 * the org's own recording (WAV, MP3, Ogg Vorbis or Ogg Opus) or go back to the built-in one.
 */
import { useEffect, useId, useRef, useState } from 'react';
import {
  ANNOUNCEMENT_MAX_BYTES,
  ANNOUNCEMENT_MAX_MS,
  BUILT_IN_ANNOUNCEMENTS,
  uploadFormatOf,
  type AnnouncementKind,
  type Announcements as AnnouncementState,
} from '../../shared/announcements';
import { errorMessage } from '../../shared/error-message';
import { usePhoneController } from '../app/controller';
import { useSession, useStores, useSync } from '../app/stores';
import { writesBlockedReason } from '../stores/sync';
import { Button } from '../ui';

const ANNOUNCEMENTS: ReadonlyArray<{ kind: AnnouncementKind; label: string; text: string }> = [
  {
    kind: 'inbound',
    label: 'Blocked inbound caller hears',
    text: '“This call cannot be connected, goodbye.”',
  },
  {
    kind: 'outbound',
    label: 'Agent calling a blocked number hears',
    text: '“This number has been blocked by your organization.”',
  },
];

/** The file's MIME type, or one guessed from its name (some systems give audio files none). */
function contentTypeOf(file: File): string | null {
  if (uploadFormatOf(file.type) !== null) return file.type.split(';')[0] ?? null;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  if (extension === 'wav') return 'audio/wav';
  if (extension === 'mp3') return 'audio/mpeg';
  // The server reads which codec an Ogg file holds (Vorbis or Opus) from the file itself.
  if (extension === 'ogg' || extension === 'oga' || extension === 'opus') return 'audio/ogg';
  return null;
}

function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function useAnnouncementState(): AnnouncementState {
  const { api } = useStores();
  const [state, setState] = useState<AnnouncementState>(BUILT_IN_ANNOUNCEMENTS);
  useEffect(() => {
    let live = true;
    void api
      .invoke('announcements:state', undefined)
      .then((value) => live && setState(value))
      .catch(() => undefined);
    const off = api.on('announcements:changed', setState);
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return state;
}

export function Announcements() {
  const state = useAnnouncementState();
  const session = useSession((value) => value.session);
  const role = session?.signedIn ? session.me.user.role : null;
  const mayReplace = role === 'admin' || role === 'lead';
  const offline = writesBlockedReason(useSync((value) => value.state));
  return (
    <fieldset className="bl-fieldset">
      <legend>Announcements</legend>
      {ANNOUNCEMENTS.map((announcement) => (
        <AnnouncementRow
          key={announcement.kind}
          {...announcement}
          orgClip={state[announcement.kind]}
          mayReplace={mayReplace}
          writesBlocked={offline}
        />
      ))}
      {mayReplace && (
        <p className="bl-field__hint">
          Your own recording: WAV, MP3 or Ogg (Vorbis or Opus), at most{' '}
          {ANNOUNCEMENT_MAX_BYTES / (1024 * 1024)} MB; the inbound one at most{' '}
          {ANNOUNCEMENT_MAX_MS.inbound / 1000} s (a burst of blocked calls hears it all at once), the outbound
          one at most {ANNOUNCEMENT_MAX_MS.outbound / 1000} s. The server evens out its loudness; every app
          gets it within seconds and keeps it for offline use.
        </p>
      )}
    </fieldset>
  );
}

function AnnouncementRow(props: {
  kind: AnnouncementKind;
  label: string;
  text: string;
  orgClip: AnnouncementState[AnnouncementKind];
  mayReplace: boolean;
  writesBlocked: string | null;
}) {
  const { kind, label, text, orgClip, mayReplace, writesBlocked } = props;
  const { api } = useStores();
  const controller = usePhoneController();
  const fileInput = useRef<HTMLInputElement>(null);
  const statusId = useId();
  const [busy, setBusy] = useState<'playing' | 'uploading' | 'reverting' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const play = async () => {
    setError(null);
    setBusy('playing');
    try {
      await controller.previewAnnouncement(kind);
    } catch (caught) {
      setError(`Could not play the announcement: ${errorMessage(caught)}`);
    } finally {
      setBusy(null);
    }
  };

  const upload = async (file: File) => {
    setError(null);
    setNotice(null);
    const contentType = contentTypeOf(file);
    if (contentType === null) return setError(`${file.name} is not a WAV, MP3, Ogg Vorbis or Ogg Opus file.`);
    if (file.size > ANNOUNCEMENT_MAX_BYTES)
      return setError(`${file.name} is larger than ${ANNOUNCEMENT_MAX_BYTES / (1024 * 1024)} MB.`);
    setBusy('uploading');
    try {
      const result = await api.invoke('announcements:upload', {
        kind,
        contentType,
        audioBase64: base64Of(await file.arrayBuffer()),
      });
      if (result.ok) setNotice(`Uploaded ${file.name} (${(result.value.durationMs / 1000).toFixed(1)} s).`);
      else setError(result.message);
    } catch (caught) {
      setError(`Could not upload ${file.name}: ${errorMessage(caught)}`);
    } finally {
      setBusy(null);
    }
  };

  const revert = async () => {
    setError(null);
    setNotice(null);
    setBusy('reverting');
    try {
      const result = await api.invoke('announcements:revert', { kind });
      if (result.ok) setNotice('Back to the built-in announcement.');
      else setError(result.message);
    } finally {
      setBusy(null);
    }
  };

  const source =
    orgClip === null
      ? 'Built-in voice'
      : `Your org’s recording, ${(orgClip.durationMs / 1000).toFixed(1)} s, from ${new Date(
          orgClip.updatedAt,
        ).toLocaleDateString()}`;
  return (
    <div className="bl-announcement" data-announcement={kind}>
      <div>
        <span className="bl-field__label">{label}</span>
        <span className="bl-field__hint">{orgClip === null ? text : null}</span>
        <span className="bl-field__hint" id={statusId} data-testid={`announcement-source-${kind}`}>
          {source}
        </span>
        {notice && (
          <span className="bl-field__hint" role="status">
            {notice}
          </span>
        )}
        {error && (
          <span className="bl-field__error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div className="bl-announcement__actions">
        <Button
          onClick={() => void play()}
          aria-label={`Play: ${label}`}
          aria-describedby={statusId}
          disabled={busy === 'playing'}
        >
          {busy === 'playing' ? 'Playing…' : 'Play'}
        </Button>
        {mayReplace && (
          <>
            <input
              ref={fileInput}
              type="file"
              accept=".wav,.mp3,.ogg,.oga,.opus,audio/wav,audio/mpeg,audio/ogg,audio/opus"
              className="bl-visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              data-testid={`announcement-file-${kind}`}
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void upload(file);
              }}
            />
            <Button
              onClick={() => fileInput.current?.click()}
              disabled={busy !== null || writesBlocked !== null}
              title={writesBlocked ?? undefined}
              aria-label={`Upload: ${label}`}
            >
              {busy === 'uploading' ? 'Uploading…' : 'Upload'}
            </Button>
            {orgClip !== null && (
              <Button
                variant="ghost"
                onClick={() => void revert()}
                disabled={busy !== null || writesBlocked !== null}
                aria-label={`Use built-in: ${label}`}
              >
                {busy === 'reverting' ? 'Reverting…' : 'Use built-in'}
              </Button>
            )}
          </>
        )}
      </div>
    </div>
  );
}
