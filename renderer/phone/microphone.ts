/**
 * Opening the agent's microphone (SPEC §10.5): the chosen device when it is there, the system default
 * when it is not — a headset unplugged between two calls must not make the next call fail. Chromium
 * ignores an `ideal` deviceId for audio (it opens the default device; checked with its fake devices),
 * so the chosen device is asked for `exact`ly and a missing-device error retries with the default.
 */

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

export interface OpenedMicrophone {
  stream: MediaStream;
  /** The device the track really comes from (its settings), or null when the browser does not say. */
  deviceId: string | null;
  /** A device was chosen but the default had to be opened instead. */
  fellBack: boolean;
}

/** `getUserMedia` audio constraints for the chosen microphone (null: the system default). */
export function microphoneConstraints(inputDeviceId: string | null): MediaTrackConstraints | boolean {
  return inputDeviceId ? { deviceId: { exact: inputDeviceId } } : true;
}

/** The errors `getUserMedia` gives for a device that is gone (or held by another program). */
export function isMissingDeviceError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? Reflect.get(error, 'name') : undefined;
  return name === 'OverconstrainedError' || name === 'NotFoundError' || name === 'NotReadableError';
}

/** Opens the chosen microphone, or the default one when the chosen one cannot be opened. */
export async function openMicrophone(
  getUserMedia: GetUserMedia,
  inputDeviceId: string | null,
): Promise<OpenedMicrophone> {
  let stream: MediaStream;
  let fellBack = false;
  try {
    stream = await getUserMedia({ audio: microphoneConstraints(inputDeviceId), video: false });
  } catch (error) {
    if (inputDeviceId === null || !isMissingDeviceError(error)) throw error;
    stream = await getUserMedia({ audio: true, video: false });
    fellBack = true;
  }
  const deviceId = stream.getAudioTracks()[0]?.getSettings().deviceId ?? null;
  return { stream, deviceId, fellBack };
}

/** The browser's getUserMedia, or null where there is none (no secure context, Node). */
export function browserGetUserMedia(): GetUserMedia | null {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!devices || typeof devices.getUserMedia !== 'function') return null;
  return (constraints) => devices.getUserMedia(constraints);
}
