import { useCallback, useEffect, useRef, useState } from 'react';
import { usePhone, useStores } from '../app/stores';
import { RING_ON_SPEAKER, RINGTONES, deviceOrDefault } from '../stores/phone';
import { Banner, Button, Select } from '../ui';
import { errorMessage } from '../../shared/error-message';
import { checkMicrophone, type CheckPhase } from './microphone-check';

/**
 * Settings → Phone → Audio (SPEC §10.5): microphone, speaker, ring device and ringtone, applied to live
 * calls at once (the app's phone controller follows the store); the lists follow `devicechange`; a
 * microphone test with a level meter.
 */
export function AudioDevices() {
  const { phone } = useStores();
  const audio = usePhone((state) => state.audio);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const canList = typeof navigator.mediaDevices?.enumerateDevices === 'function';
  const error = canList ? listError : 'This environment cannot list audio devices.';
  const refresh = useCallback(
    () =>
      navigator.mediaDevices
        .enumerateDevices()
        .then(setDevices, (caught: unknown) => setListError(errorMessage(caught))),
    [],
  );
  useEffect(() => {
    if (!canList) return;
    const mediaDevices = navigator.mediaDevices;
    void refresh();
    mediaDevices.addEventListener('devicechange', refresh);
    return () => mediaDevices.removeEventListener('devicechange', refresh);
  }, [canList, refresh]);
  // Until the app may use a microphone, the system lists devices without ids or names.
  const unnamed = devices.some((device) => device.kind === 'audioinput' && device.deviceId === '');
  const allowListing = async () => {
    setListError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of stream.getTracks()) track.stop();
      await refresh();
    } catch (caught) {
      setListError(`Microphone access was not allowed, so devices cannot be listed: ${errorMessage(caught)}`);
    }
  };
  const listed = (kind: MediaDeviceKind) =>
    devices
      .filter((device) => device.kind === kind && device.deviceId !== 'default' && device.deviceId !== '')
      .map((device, index) => ({
        value: device.deviceId,
        label: device.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${index + 1}`,
      }));
  const optionsOf = (kind: MediaDeviceKind) => [
    { value: 'default', label: 'System default' },
    ...listed(kind),
  ];
  const outputSupported =
    typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  return (
    <fieldset className="bl-fieldset">
      <legend>Audio</legend>
      {error && <Banner tone="warning">{error}</Banner>}
      {unnamed && (
        <p className="bl-field__hint">
          Your devices are listed by name once Blockline may use the microphone.{' '}
          <Button onClick={() => void allowListing()}>Show my devices</Button>
        </p>
      )}
      <Select
        label="Microphone"
        value={audio.inputDeviceId}
        options={optionsOf('audioinput')}
        hint="Changes apply to calls in progress too."
        onChange={(value) => phone.getState().setAudio({ inputDeviceId: value })}
      />
      <MicrophoneTest inputDeviceId={audio.inputDeviceId} outputDeviceId={audio.outputDeviceId} />
      <Select
        label="Speaker"
        value={audio.outputDeviceId}
        options={optionsOf('audiooutput')}
        disabled={!outputSupported}
        hint={outputSupported ? undefined : 'Choosing the output device is not supported here.'}
        onChange={(value) => phone.getState().setAudio({ outputDeviceId: value })}
      />
      <Select
        label="Ring on"
        value={audio.ringDeviceId}
        options={[{ value: RING_ON_SPEAKER, label: 'The speaker above' }, ...optionsOf('audiooutput')]}
        disabled={!outputSupported}
        hint="For example ring on the computer's speakers and talk on the headset."
        onChange={(value) => phone.getState().setAudio({ ringDeviceId: value })}
      />
      <Select
        label="Ringtone"
        value={audio.ringtone}
        options={RINGTONES.map((ringtone) => ({ value: ringtone.id, label: ringtone.label }))}
        onChange={(value) => phone.getState().setAudio({ ringtone: value })}
      />
    </fieldset>
  );
}

const PHASE_TEXT: Record<CheckPhase, string> = {
  recording: 'Recording: say something…',
  playing: 'Playing back what the other side would hear…',
  done: '',
};

/** "Test your microphone": a level meter while recording a few seconds, then the recording played back. */
function MicrophoneTest({
  inputDeviceId,
  outputDeviceId,
}: {
  inputDeviceId: string;
  outputDeviceId: string;
}) {
  const [phase, setPhase] = useState<CheckPhase>('done');
  const [level, setLevel] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const stopRef = useRef<(() => void) | null>(null);
  useEffect(() => () => stopRef.current?.(), []);
  const start = async () => {
    setNotice(null);
    try {
      stopRef.current = await checkMicrophone(
        deviceOrDefault(inputDeviceId),
        deviceOrDefault(outputDeviceId),
        {
          onLevel: setLevel,
          onPhase: (next) => {
            setPhase(next);
            if (next === 'done') setLevel(0);
          },
          onFellBack: () => setNotice('The chosen microphone is not connected: testing the system default.'),
        },
      );
    } catch (caught) {
      setPhase('done');
      setNotice(`The microphone could not be opened: ${errorMessage(caught)}`);
    }
  };
  const running = phase !== 'done';
  return (
    <div className="bl-field">
      <div className="bl-mic-test">
        <Button onClick={() => (running ? stopRef.current?.() : void start())}>
          {/* "mic", not "microphone": a button named "…phone" would answer to the Phone tab's name too. */}
          {running ? 'Stop the test' : 'Test your mic'}
        </Button>
        <meter aria-label="Input level" min={0} max={1} low={0.05} high={0.9} optimum={0.5} value={level} />
      </div>
      <span className="bl-field__hint" role="status">
        {notice ?? PHASE_TEXT[phase]}
      </span>
    </div>
  );
}
