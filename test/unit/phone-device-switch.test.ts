/**
 * The device logic of SPEC §10.5 on stand-in devices (plain Node has no media devices; the same code
 * runs on Chromium's fake devices in test/integration/sip-devices.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  LiveDevices,
  effectiveDevice,
  type DeviceNotice,
  type DeviceSources,
  type MicrophoneSink,
} from '../../renderer/phone/device-switch';
import { isMissingDeviceError, openMicrophone, type GetUserMedia } from '../../renderer/phone/microphone';

interface FakeTrack {
  deviceId: string;
  stopped: boolean;
}

/** A stand-in for the browser's devices: `present` inputs and outputs; getUserMedia as Chromium answers. */
function fakeDevices(inputs: string[], outputs: string[] = []) {
  const present = { inputs: new Set(inputs), outputs: new Set(outputs) };
  const opened: FakeTrack[] = [];
  let listener: (() => void) | null = null;
  const getUserMedia: GetUserMedia = (constraints) => {
    const audio = constraints.audio;
    const exact =
      typeof audio === 'object' && typeof audio.deviceId === 'object' && !Array.isArray(audio.deviceId)
        ? (audio.deviceId as ConstrainDOMStringParameters).exact
        : undefined;
    if (typeof exact === 'string' && !present.inputs.has(exact))
      return Promise.reject(Object.assign(new Error('no such device'), { name: 'OverconstrainedError' }));
    const track: FakeTrack = { deviceId: typeof exact === 'string' ? exact : 'default', stopped: false };
    opened.push(track);
    const mediaTrack = {
      getSettings: () => ({ deviceId: track.deviceId }),
      stop: () => {
        track.stopped = true;
      },
    };
    return Promise.resolve({
      getAudioTracks: () => [mediaTrack],
      getTracks: () => [mediaTrack],
    } as unknown as MediaStream);
  };
  const sources: DeviceSources = {
    enumerate: () =>
      Promise.resolve([
        { kind: 'audioinput' as const, deviceId: 'default' },
        ...[...present.inputs].map((deviceId) => ({ kind: 'audioinput' as const, deviceId })),
        ...[...present.outputs].map((deviceId) => ({ kind: 'audiooutput' as const, deviceId })),
      ]),
    getUserMedia,
    onChange(next) {
      listener = next;
      return () => {
        listener = null;
      };
    },
  };
  return {
    present,
    opened,
    sources,
    getUserMedia,
    change: () => listener?.(),
    hasListener: () => listener !== null,
  };
}

/** A live call's outgoing audio: remembers the device of each stream it was given. */
function fakeCall(): MicrophoneSink & { devices: string[] } {
  const devices: string[] = [];
  return {
    devices,
    replaceMicrophone: (stream) => {
      devices.push(stream.getAudioTracks()[0]?.getSettings().deviceId ?? '?');
      return Promise.resolve();
    },
  };
}

function setUp(options: {
  inputs: string[];
  outputs?: string[];
  input?: string | null;
  output?: string | null;
}) {
  const devices = fakeDevices(options.inputs, options.outputs ?? []);
  const calls: Array<MicrophoneSink & { devices: string[] }> = [];
  const sinks: Array<string | null> = [];
  const notices: DeviceNotice[] = [];
  const errors: unknown[] = [];
  const live = new LiveDevices({
    sources: devices.sources,
    microphones: () => calls,
    output: {
      setSinkId: (deviceId) => {
        sinks.push(deviceId);
        return Promise.resolve();
      },
    },
    inputDeviceId: options.input ?? null,
    outputDeviceId: options.output ?? null,
    onNotice: (notice) => notices.push(notice),
    onError: (_context, error) => errors.push(error),
  });
  return { devices, calls, sinks, notices, errors, live };
}

describe('openMicrophone', () => {
  it('opens the chosen device, and the default one when the chosen one is gone (with fellBack)', async () => {
    const { getUserMedia } = fakeDevices(['headset']);
    expect(await openMicrophone(getUserMedia, 'headset')).toMatchObject({
      deviceId: 'headset',
      fellBack: false,
    });
    expect(await openMicrophone(getUserMedia, 'unplugged')).toMatchObject({
      deviceId: 'default',
      fellBack: true,
    });
    expect(await openMicrophone(getUserMedia, null)).toMatchObject({ deviceId: 'default', fellBack: false });
  });

  it('does not hide a refused permission behind the default device', async () => {
    const refused: GetUserMedia = () =>
      Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' }));
    await expect(openMicrophone(refused, 'headset')).rejects.toThrow('denied');
    expect(isMissingDeviceError({ name: 'NotFoundError' })).toBe(true);
    expect(isMissingDeviceError({ name: 'NotAllowedError' })).toBe(false);
    expect(isMissingDeviceError('OverconstrainedError')).toBe(false);
  });
});

describe('effectiveDevice', () => {
  it('is the chosen device while it is listed (of the right kind), else the default', () => {
    const listed = [
      { kind: 'audioinput' as const, deviceId: 'mic' },
      { kind: 'audiooutput' as const, deviceId: 'spk' },
    ];
    expect(effectiveDevice('mic', listed, 'audioinput')).toBe('mic');
    expect(effectiveDevice('spk', listed, 'audioinput')).toBeNull();
    expect(effectiveDevice('spk', listed, 'audiooutput')).toBe('spk');
    expect(effectiveDevice(null, listed, 'audioinput')).toBeNull();
  });
});

describe('LiveDevices', () => {
  it('a microphone chosen during calls replaces every live call’s outgoing audio at once', async () => {
    const { live, calls, notices } = setUp({ inputs: ['laptop', 'headset'], input: 'laptop' });
    calls.push(fakeCall(), fakeCall());
    await live.setInput('headset');
    expect(calls.map((call) => call.devices)).toEqual([['headset'], ['headset']]);
    expect(live.inputForNewCall()).toBe('headset');
    expect(notices).toEqual([]);
  });

  it('a chosen microphone that is not there: live calls get the default, with a notice', async () => {
    const { live, calls, notices } = setUp({ inputs: ['laptop'] });
    calls.push(fakeCall());
    await live.setInput('headset');
    expect(calls[0]?.devices).toEqual(['default']);
    expect(notices).toEqual([expect.objectContaining({ device: 'microphone', change: 'missing' })]);
  });

  it('the chosen microphone unplugged mid-call: the call moves to the default; plugged back, back to it', async () => {
    const { live, calls, notices, devices } = setUp({ inputs: ['headset'], input: 'headset' });
    calls.push(fakeCall());
    devices.present.inputs.delete('headset');
    devices.change();
    await live.followDeviceList();
    expect(calls[0]?.devices).toEqual(['default']);
    expect(notices.map((notice) => [notice.device, notice.change])).toEqual([['microphone', 'missing']]);
    devices.present.inputs.add('headset');
    await live.followDeviceList();
    expect(calls[0]?.devices).toEqual(['default', 'headset']);
    expect(notices.map((notice) => notice.change)).toEqual(['missing', 'back']);
    // Nothing changed: nothing reopened.
    await live.followDeviceList();
    expect(calls[0]?.devices).toHaveLength(2);
  });

  it('the chosen speaker unplugged: the output path goes to the default with a notice, and back', async () => {
    const { live, sinks, notices, devices } = setUp({
      inputs: [],
      outputs: ['headset-out'],
      output: 'headset-out',
    });
    devices.present.outputs.delete('headset-out');
    await live.followDeviceList();
    expect(sinks).toEqual([null]);
    expect(notices).toEqual([expect.objectContaining({ device: 'speaker', change: 'missing' })]);
    devices.present.outputs.add('headset-out');
    await live.followDeviceList();
    expect(sinks).toEqual([null, 'headset-out']);
    await live.setOutput(null);
    expect(sinks).toEqual([null, 'headset-out', null]);
  });

  it('a device list without ids (no microphone permission yet) changes nothing', async () => {
    const { live, calls, devices } = setUp({ inputs: ['headset'], input: 'headset' });
    calls.push(fakeCall());
    devices.sources.enumerate = () => Promise.resolve([{ kind: 'audioinput', deviceId: '' }]);
    await live.followDeviceList();
    expect(calls[0]?.devices).toEqual([]);
  });

  it('a new call that had to open the default: noted once, and the chosen device is used when it returns', async () => {
    const { live, calls, notices } = setUp({ inputs: ['headset'], input: 'headset' });
    live.newCallFellBack('headset');
    live.newCallFellBack('headset');
    expect(notices).toHaveLength(1);
    calls.push(fakeCall());
    await live.followDeviceList();
    expect(calls[0]?.devices).toEqual(['headset']);
  });

  it('stops listening to the device list when disposed', () => {
    const { live, devices } = setUp({ inputs: [] });
    expect(devices.hasListener()).toBe(true);
    live.dispose();
    expect(devices.hasListener()).toBe(false);
  });
});
