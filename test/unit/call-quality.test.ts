import { describe, expect, it } from 'vitest';
import {
  DEFAULT_R,
  delayImpairment,
  estimateQuality,
  lossImpairment,
  mosFromR,
  qualityGrade,
  worseOf,
} from '../../shared/call-quality';
import { figuresBetween, readAudioCounters, type StatsEntry } from '../../renderer/phone/quality-stats';

describe('the E-model (ITU-T G.107, simplified)', () => {
  it('maps R to MOS as G.107 Table B.1 lists the category limits (R 90/80/70/60/50)', () => {
    // ITU-T G.107 (06/2015) Table B.1 and G.109 Table 1: lower limits of each quality category.
    const published: Array<[number, number]> = [
      [90, 4.34],
      [80, 4.03],
      [70, 3.6],
      [60, 3.1],
      [50, 2.58],
    ];
    for (const [r, mos] of published) expect(mosFromR(r)).toBeCloseTo(mos, 1.7);
  });

  it('gives the G.107 default connection R = 93.2, MOS 4.41, and clamps outside 0–100', () => {
    expect(estimateQuality({ lossPercent: 0, jitterMs: 0, rttMs: 0, codec: 'PCMU' }).rFactor).toBeCloseTo(
      DEFAULT_R - delayImpairment(20),
      6,
    );
    expect(mosFromR(DEFAULT_R)).toBeCloseTo(4.41, 2);
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(120)).toBe(4.5);
  });

  it('delay: Cole & Rosenbluth’s Id, linear to 177.3 ms and steeper after', () => {
    expect(delayImpairment(0)).toBe(0);
    expect(delayImpairment(150)).toBeCloseTo(3.6, 6);
    expect(delayImpairment(177.3)).toBeCloseTo(4.2552, 4);
    expect(delayImpairment(300)).toBeCloseTo(0.024 * 300 + 0.11 * (300 - 177.3), 6);
  });

  it('loss: G.107 eq. 7-29 with G.113 Appendix I values (G.711 with PLC: Ie 0, Bpl 25.1)', () => {
    expect(lossImpairment(0, 'PCMU')).toBe(0);
    expect(lossImpairment(2, 'PCMU')).toBeCloseTo((95 * 2) / 27.1, 6);
    expect(lossImpairment(100, 'PCMA')).toBeCloseTo((95 * 100) / 125.1, 6);
    // G.729A: Ie 11, Bpl 19.
    expect(lossImpairment(0, 'G729')).toBe(11);
    expect(lossImpairment(5, 'g729')).toBeCloseTo(11 + (84 * 5) / 24, 6);
  });

  it('grades a clean call good, 5 % loss fair, 10 % loss poor (G.711 with PLC shrugs off 3 %)', () => {
    const clean = estimateQuality({ lossPercent: 0, jitterMs: 2, rttMs: 20, codec: 'PCMU' });
    expect(qualityGrade(clean.mos)).toBe('good');
    const slight = estimateQuality({ lossPercent: 3, jitterMs: 2, rttMs: 20, codec: 'PCMU' });
    expect(slight.mos).toBeLessThan(clean.mos);
    expect(qualityGrade(slight.mos)).toBe('good');
    const lossy = estimateQuality({ lossPercent: 5, jitterMs: 2, rttMs: 20, codec: 'PCMU' });
    expect(qualityGrade(lossy.mos)).toBe('fair');
    expect(
      qualityGrade(estimateQuality({ lossPercent: 10, jitterMs: 2, rttMs: 20, codec: 'PCMU' }).mos),
    ).toBe('poor');
  });

  it('keeps the worst of each figure over a call', () => {
    const first = { lossPercent: 4, jitterMs: 3, rttMs: null, codec: 'PCMU' };
    const second = { lossPercent: 1, jitterMs: 9, rttMs: 40, codec: 'PCMU' };
    const worst = worseOf(worseOf(null, first, estimateQuality(first)), second, estimateQuality(second));
    expect(worst).toMatchObject({ lossPercent: 4, jitterMs: 9, rttMs: 40, codec: 'PCMU' });
    expect(worst.mos).toBeCloseTo(Math.min(estimateQuality(first).mos, estimateQuality(second).mos), 2);
  });
});

/** Trimmed from a Chromium 156 getStats() of a lab call (sipp → rtpengine → the phone). */
function recordedReport(packetsReceived: number, packetsLost: number, jitter: number): StatsEntry[] {
  return [
    { id: 'COT01_0', type: 'codec', mimeType: 'audio/PCMU' },
    {
      id: 'IT01A1',
      type: 'inbound-rtp',
      kind: 'audio',
      codecId: 'COT01_0',
      packetsReceived,
      packetsLost,
      jitter,
    },
    { id: 'OT01A1', type: 'outbound-rtp', kind: 'audio', codecId: 'COT01_0' },
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.002 },
  ];
}

describe('reading getStats', () => {
  it('takes codec, jitter and the selected ICE pair’s round trip when there is no RTCP figure', () => {
    const counters = readAudioCounters(recordedReport(500, 10, 0.0125), 1000);
    expect(counters).toEqual({
      atMs: 1000,
      packetsReceived: 500,
      packetsLost: 10,
      jitterMs: 12.5,
      rttMs: 2,
      codec: 'PCMU',
    });
  });

  it('prefers RTCP’s round trip, and says nothing before any audio arrived', () => {
    const withRtcp = [
      ...recordedReport(1, 0, 0),
      { id: 'RI1', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.08 },
    ];
    expect(readAudioCounters(withRtcp, 0)?.rttMs).toBe(80);
    expect(readAudioCounters([{ type: 'outbound-rtp', kind: 'audio' }], 0)).toBeNull();
  });

  it('computes loss over the window only, not since the call began', () => {
    const before = readAudioCounters(recordedReport(1000, 0, 0.001), 0);
    const after = readAudioCounters(recordedReport(1190, 10, 0.004), 5000);
    expect(after).not.toBeNull();
    if (!after) return;
    expect(figuresBetween(before, after)).toEqual({ lossPercent: 5, jitterMs: 4, rttMs: 2, codec: 'PCMU' });
    // Negative cumulative loss (duplicates) counts as none.
    const duplicates = readAudioCounters(recordedReport(50, -3, 0), 0);
    expect(duplicates && figuresBetween(null, duplicates).lossPercent).toBe(0);
  });
});
