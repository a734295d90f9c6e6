/**
 * The ICE-restart policy (SPEC §10.6) as pure functions; the restart itself runs against Kamailio,
 * rtpengine and coturn in test/integration/sip-turn.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  DISCONNECTED_GRACE_MS,
  MEDIA_STALL_MS,
  StallDetector,
  audioPacketsReceived,
  iceStep,
  receivesAudio,
} from '../../renderer/phone/ice-restart';

describe('iceStep', () => {
  it('restarts at once on failed, after a grace on disconnected, and recovers on connected', () => {
    expect(iceStep('failed', false)).toEqual({ kind: 'restart', afterMs: 0 });
    expect(iceStep('disconnected', false)).toEqual({ kind: 'restart', afterMs: DISCONNECTED_GRACE_MS });
    expect(iceStep('connected', true)).toEqual({ kind: 'recovered' });
    expect(iceStep('completed', true)).toEqual({ kind: 'recovered' });
  });

  it('does nothing while setting up, or when nothing was wrong', () => {
    expect(iceStep('checking', false)).toEqual({ kind: 'nothing' });
    expect(iceStep('new', true)).toEqual({ kind: 'nothing' });
    expect(iceStep('connected', false)).toEqual({ kind: 'nothing' });
    expect(iceStep('closed', true)).toEqual({ kind: 'nothing' });
  });
});

describe('StallDetector', () => {
  it('says stalled once no packet arrived for the stall time, not before', () => {
    const detector = new StallDetector(1500);
    expect(detector.stalled(100, 0, true)).toBe(false);
    expect(detector.stalled(150, 1000, true)).toBe(false);
    expect(detector.stalled(150, 2400, true)).toBe(false);
    expect(detector.stalled(150, 2500, true)).toBe(true);
  });

  it('says it once per silence: a far end that just stopped sending gets one restart, not one every 1.5 s', () => {
    const detector = new StallDetector(1500);
    expect(detector.stalled(100, 0, true)).toBe(false);
    expect(detector.stalled(100, 1500, true)).toBe(true);
    detector.reset(1500);
    for (const at of [3000, 4500, 10_000, 60_000]) expect(detector.stalled(100, at, true)).toBe(false);
    // Audio again, then a new silence: told again.
    expect(detector.stalled(120, 60_100, true)).toBe(false);
    expect(detector.stalled(120, 61_500, true)).toBe(false);
    expect(detector.stalled(120, 61_600, true)).toBe(true);
  });

  it('is never stalled while the call is not meant to receive audio (held either way)', () => {
    const detector = new StallDetector();
    expect(detector.stalled(10, 0, true)).toBe(false);
    expect(detector.stalled(10, MEDIA_STALL_MS * 3, false)).toBe(false);
    expect(detector.stalled(10, MEDIA_STALL_MS * 3 + 100, true)).toBe(false);
  });
});

describe('what the stall check reads', () => {
  it('counts audio packets received only', () => {
    const report = new Map<string, object>([
      ['a', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 40 }],
      ['v', { type: 'inbound-rtp', kind: 'video', packetsReceived: 900 }],
      ['o', { type: 'outbound-rtp', kind: 'audio', packetsSent: 50 }],
    ]);
    expect(audioPacketsReceived(report as unknown as RTCStatsReport)).toBe(40);
  });

  it('expects audio on a sendrecv or recvonly transceiver, not on sendonly or inactive (hold)', () => {
    const connection = (directions: Array<RTCRtpTransceiverDirection | null>) => ({
      getTransceivers: () =>
        directions.map((currentDirection) => ({ currentDirection }) as RTCRtpTransceiver),
    });
    expect(receivesAudio(connection(['sendrecv']))).toBe(true);
    expect(receivesAudio(connection(['recvonly']))).toBe(true);
    expect(receivesAudio(connection(['sendonly']))).toBe(false);
    expect(receivesAudio(connection(['inactive', null]))).toBe(false);
  });
});
