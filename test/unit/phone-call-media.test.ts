import { describe, expect, it } from 'vitest';
import {
  audioCounters,
  mediaStats,
  rmsLevel,
  waitForConnected,
  waitForMediaConnected,
  type ConnectionStateSource,
} from '../../renderer/phone/call-media';
import { inviterOn, unstartedLine } from './phone-helpers';

/** RTCPeerConnection cannot exist in Node: a real EventTarget standing in for its two state fields. */
class StandInConnection extends EventTarget implements ConnectionStateSource {
  connectionState = 'new';
  iceConnectionState = 'new';
  change(field: 'connectionState' | 'iceConnectionState', value: string): void {
    this[field] = value;
    this.dispatchEvent(
      new Event(field === 'connectionState' ? 'connectionstatechange' : 'iceconnectionstatechange'),
    );
  }
}

describe('rmsLevel', () => {
  it('is 0 for silence and for no samples, and the RMS otherwise', () => {
    expect(rmsLevel(new Float32Array(0))).toBe(0);
    expect(rmsLevel(new Float32Array(64))).toBe(0);
    expect(rmsLevel(Float32Array.from([0.5, -0.5, 0.5, -0.5]))).toBeCloseTo(0.5);
  });
});

describe('audioCounters', () => {
  it('sums audio RTP in both directions and ignores video and other entries', () => {
    const report = new Map<string, object>([
      ['o1', { type: 'outbound-rtp', kind: 'audio', packetsSent: 50 }],
      ['o2', { type: 'outbound-rtp', kind: 'audio', packetsSent: 25 }],
      ['i1', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 40, bytesReceived: 6400 }],
      ['v1', { type: 'inbound-rtp', kind: 'video', packetsReceived: 999, bytesReceived: 999 }],
      ['t1', { type: 'transport', packetsSent: 999 }],
    ]);
    expect(audioCounters(report)).toEqual({ packetsSent: 75, packetsReceived: 40, bytesReceived: 6400 });
  });
});

describe('waitForConnected', () => {
  it('resolves true at once when connected, on the first connected event, and false after the timeout', async () => {
    const connected = new StandInConnection();
    connected.iceConnectionState = 'completed';
    await expect(waitForConnected(connected, 10)).resolves.toBe(true);

    const later = new StandInConnection();
    const waiting = waitForConnected(later, 5_000);
    later.change('iceConnectionState', 'checking');
    later.change('connectionState', 'connected');
    await expect(waiting).resolves.toBe(true);

    await expect(waitForConnected(new StandInConnection(), 20)).resolves.toBe(false);
  });
});

describe('a session without media yet (real sip.js Inviter, never sent)', () => {
  it('has no stats and does not wait for media', async () => {
    const inviter = inviterOn(unstartedLine());
    await expect(mediaStats(inviter, null)).resolves.toBeNull();
    await expect(waitForMediaConnected(inviter, 5_000)).resolves.toBe(false);
  });
});
