import { Web } from 'sip.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ICE_GATHERING_TIMEOUT_MS,
  handlerConfiguration,
  microphoneConstraints,
} from '../../renderer/phone/session-description';

describe('microphoneConstraints', () => {
  // Exact, not ideal: Chromium opens the default device for an ideal deviceId (openMicrophone retries).
  it('asks for exactly the chosen microphone, or the default one', () => {
    expect(microphoneConstraints('mic-2')).toEqual({ deviceId: { exact: 'mic-2' } });
    expect(microphoneConstraints(null)).toBe(true);
  });
});

describe('handlerConfiguration', () => {
  it('gathers ICE for 500 ms by default on sip.js default peer-connection settings', () => {
    expect(DEFAULT_ICE_GATHERING_TIMEOUT_MS).toBe(500);
    expect(handlerConfiguration(undefined)).toEqual({
      iceGatheringTimeout: 500,
      peerConnectionConfiguration: Web.defaultPeerConnectionConfiguration(),
    });
  });

  it("lays the user agent's options (the line's ICE servers) over the defaults", () => {
    const iceServers = [{ urls: 'stun:stun.example.com' }];
    const configuration = handlerConfiguration({
      iceGatheringTimeout: 2000,
      peerConnectionConfiguration: { iceServers },
    });
    expect(configuration.iceGatheringTimeout).toBe(2000);
    expect(configuration.peerConnectionConfiguration).toMatchObject({
      ...Web.defaultPeerConnectionConfiguration(),
      iceServers,
    });
  });
});
