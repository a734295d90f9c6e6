/**
 * Reads a live call's getStats once a second and turns it into the call card's quality badge (SPEC
 * §10.7): the figures over the last few seconds, the estimated MOS, its grade, and the call's worst.
 */
import {
  estimateQuality,
  qualityGrade,
  round,
  worseOf,
  type QualityFigures,
  type QualityGrade,
  type WorstQuality,
} from '../../shared/call-quality';
import { Web, type Session } from 'sip.js';
import { figuresBetween, readAudioCounters, type AudioCounters, type StatsEntry } from './quality-stats';

export interface CallQuality {
  figures: QualityFigures;
  mos: number;
  grade: QualityGrade;
  worst: WorstQuality;
}

export interface QualityMonitorOptions {
  /** The call's current stats, or null while it has no peer connection. */
  getStats(): Promise<Iterable<StatsEntry>> | null;
  onQuality(quality: CallQuality): void;
  onError(error: unknown): void;
  intervalMs?: number;
  /** Loss is judged over this many intervals (5 s by default): long enough to count, short enough to warn. */
  windowIntervals?: number;
}

/** Samples a sip.js session's peer connection (the phone's hook: started on connect, stopped on end). */
export function monitorSessionQuality(
  session: Session,
  onQuality: (quality: CallQuality) => void,
  report: (context: string, error: unknown) => void,
): () => void {
  return monitorCallQuality({
    getStats: () => {
      const handler = session.sessionDescriptionHandler;
      if (!(handler instanceof Web.SessionDescriptionHandler) || !handler.peerConnection) return null;
      return handler.peerConnection.getStats().then((statsReport) => statsReport.values());
    },
    onQuality,
    onError: (error) => report('reading call quality', error),
  });
}

/** Starts sampling; returns the function that stops it. */
export function monitorCallQuality(options: QualityMonitorOptions): () => void {
  const intervalMs = options.intervalMs ?? 1000;
  const windowIntervals = options.windowIntervals ?? 5;
  const readings: AudioCounters[] = [];
  let worst: WorstQuality | null = null;
  let stopped = false;
  let busy = false;

  async function sample(): Promise<void> {
    const pending = options.getStats();
    if (!pending) return;
    const latest = readAudioCounters(await pending, Date.now());
    if (!latest || stopped) return;
    readings.push(latest);
    if (readings.length > windowIntervals + 1) readings.shift();
    // Nothing received yet (the media path is still being set up): no figure beats a wrong one.
    if (latest.packetsReceived === 0) return;
    const earlier = readings.length > 1 ? (readings[0] ?? null) : null;
    const figures = figuresBetween(earlier, latest);
    const estimate = estimateQuality(figures);
    worst = worseOf(worst, figures, estimate);
    const mos = round(estimate.mos, 2);
    options.onQuality({ figures, mos, grade: qualityGrade(mos), worst });
  }

  const timer = setInterval(() => {
    // A slow getStats on a loaded machine must not pile up calls.
    if (busy || stopped) return;
    busy = true;
    sample()
      .catch((error: unknown) => options.onError(error))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
