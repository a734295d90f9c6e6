import { describe, expect, it } from 'vitest';
import {
  createPhoneStore,
  ringSink,
  DEFAULT_AUDIO_PREFERENCES,
  outboundLine,
  registrationSummary,
  type PreferenceStorage,
} from '../../renderer/stores/phone';
import type { LineSnapshot } from '../../renderer/phone/types';

const line = (accountId: string, status: LineSnapshot['status']): LineSnapshot => ({
  accountId,
  lineNumber: '+12125550100',
  sipUri: `sip:${accountId}@pbx.example.com`,
  status,
  error: null,
  reconnectAt: null,
});

function memoryStorage(
  initial: Record<string, string> = {},
): PreferenceStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (key) => data[key] ?? null, setItem: (key, value) => void (data[key] = value) };
}

describe('phone store', () => {
  it('keeps line snapshots by account and summarizes registration', () => {
    const store = createPhoneStore(null);
    store.getState().setLine(line('a', 'registering'));
    store.getState().setLine(line('b', 'registered'));
    expect(registrationSummary(store.getState().lines)).toEqual({ registered: 1, total: 2 });
    store.getState().setLine(line('a', 'registered'));
    expect(registrationSummary(store.getState().lines)).toEqual({ registered: 2, total: 2 });
    store.getState().selectAccount('a');
    store.getState().removeLine('a');
    expect(Object.keys(store.getState().lines)).toEqual(['b']);
    expect(store.getState().selectedAccountId).toBeNull();
  });

  it('calls out on the chosen line when registered, else the first registered one', () => {
    const store = createPhoneStore(null);
    store.getState().setLine(line('a', 'failed'));
    store.getState().setLine(line('b', 'registered'));
    expect(outboundLine(store.getState())?.accountId).toBe('b');
    store.getState().selectAccount('a');
    expect(outboundLine(store.getState())?.accountId).toBe('b');
    store.getState().setLine(line('a', 'registered'));
    expect(outboundLine(store.getState())?.accountId).toBe('a');
    store.getState().setLine(line('a', 'failed'));
    store.getState().setLine(line('b', 'unregistered'));
    expect(outboundLine(store.getState())).toBeNull();
  });

  it('persists audio choices and ignores a corrupt saved value', () => {
    const storage = memoryStorage();
    const store = createPhoneStore(storage);
    expect(store.getState().audio).toEqual(DEFAULT_AUDIO_PREFERENCES);
    store.getState().setAudio({ outputDeviceId: 'speaker-2', ringtone: 'soft' });
    expect(createPhoneStore(storage).getState().audio).toEqual({
      inputDeviceId: 'default',
      outputDeviceId: 'speaker-2',
      ringDeviceId: 'same',
      ringtone: 'soft',
    });
    expect(createPhoneStore(memoryStorage({ 'blockline.audio': '{not json' })).getState().audio).toEqual(
      DEFAULT_AUDIO_PREFERENCES,
    );
    expect(
      createPhoneStore(memoryStorage({ 'blockline.audio': '{"ringtone":42}' })).getState().audio.ringtone,
    ).toBe('classic');
  });
});

describe('agent presence (SPEC §10.4)', () => {
  it('starts available, keeps changes across a restart, and reads a damaged record as available', () => {
    const storage = memoryStorage();
    const store = createPhoneStore(storage);
    expect(store.getState().presence).toEqual({
      availability: 'available',
      dndResponse: 486,
      refuseSecondCall: false,
      autoAnswer: false,
    });
    store.getState().setPresence({ availability: 'dnd', dndResponse: 480 });
    store.getState().setPresence({ autoAnswer: true });
    expect(createPhoneStore(storage).getState().presence).toEqual({
      availability: 'dnd',
      dndResponse: 480,
      refuseSecondCall: false,
      autoAnswer: true,
    });
    const damaged = memoryStorage({
      'blockline.presence': JSON.stringify({ availability: 'away', dndResponse: 999, autoAnswer: 'yes' }),
    });
    expect(createPhoneStore(damaged).getState().presence).toMatchObject({
      availability: 'available',
      dndResponse: 486,
      autoAnswer: false,
    });
    expect(
      createPhoneStore(memoryStorage({ 'blockline.presence': '{not json' })).getState().presence.availability,
    ).toBe('available');
  });
});

describe('ring device (SPEC §10.5: ring on the speakers, talk on the headset)', () => {
  it('rings on the call speaker unless a ring device is chosen; `default` is the system default', () => {
    expect(ringSink({ outputDeviceId: 'headset', ringDeviceId: 'same' })).toBe('headset');
    expect(ringSink({ outputDeviceId: 'headset', ringDeviceId: 'speakers' })).toBe('speakers');
    expect(ringSink({ outputDeviceId: 'headset', ringDeviceId: 'default' })).toBeNull();
    expect(ringSink({ outputDeviceId: 'default', ringDeviceId: 'same' })).toBeNull();
  });

  it('keeps the chosen ring device between runs', () => {
    const storage = memoryStorage();
    createPhoneStore(storage).getState().setAudio({ ringDeviceId: 'speakers' });
    expect(createPhoneStore(storage).getState().audio.ringDeviceId).toBe('speakers');
  });
});
