/**
 * A live call surviving a changed network (SPEC §10.6): when the call's ICE connection goes
 * `disconnected` (and stays so a moment) or `failed`, the phone restarts ICE — a re-INVITE whose offer
 * has new ICE credentials and freshly gathered candidates (a new TURN allocation too) — and the call card
 * says "Reconnecting…" until media flows again. A refused or failed attempt is retried with backoff
 * while the connection is still down. The decision is `iceStep`, a pure function.
 */
import { SessionState, Web, type Session } from 'sip.js';

/** `disconnected` often heals by itself within a second (a lost check); only then is ICE restarted. */
export const DISCONNECTED_GRACE_MS = 800;
/**
 * No audio packet for this long on a call that should receive audio: the path is down. Chromium itself
 * says `disconnected` only after ≈ 5 s of a dead relay (measured with the lab's coturn restarted), too late
 * for audio back within 5 s.
 */
export const MEDIA_STALL_MS = 1500;
/** How often the received-packet counter is read for the stall check. */
export const STALL_CHECK_INTERVAL_MS = 250;
/** Waits between restart attempts while the connection stays down. */
export const RETRY_DELAYS_MS = [1500, 3000, 6000] as const;

export type IceStep =
  /** Media flows (again): no longer reconnecting. */
  | { kind: 'recovered' }
  /** Down: show "Reconnecting…" and restart ICE after `afterMs`. */
  | { kind: 'restart'; afterMs: number }
  /** Still setting up, or nothing to do. */
  | { kind: 'nothing' };

/** What to do when the call's ICE connection state becomes `state`. */
export function iceStep(state: RTCIceConnectionState, reconnecting: boolean): IceStep {
  if (state === 'connected' || state === 'completed')
    return reconnecting ? { kind: 'recovered' } : { kind: 'nothing' };
  if (state === 'failed') return { kind: 'restart', afterMs: 0 };
  if (state === 'disconnected') return { kind: 'restart', afterMs: DISCONNECTED_GRACE_MS };
  return { kind: 'nothing' };
}

/**
 * Tracks the received-packet counter and tells when it has not moved for `stallMs` (pure, clock passed in).
 * It says so once per silence: a far end that simply stops sending (silence suppression, some music on
 * hold) would otherwise get a re-INVITE every `stallMs`. If the one restart did not help, the ICE state
 * (`disconnected`/`failed`) takes over with its own retries.
 */
export class StallDetector {
  private packets = -1;
  private lastGrowthAt = 0;
  private toldThisSilence = false;

  constructor(private readonly stallMs: number = MEDIA_STALL_MS) {}

  /** Feeds one reading; true once when no packet arrived for `stallMs`. A paused reading (`expecting` false) resets. */
  stalled(packets: number, nowMs: number, expecting: boolean): boolean {
    if (!expecting || packets > this.packets) {
      this.packets = packets;
      this.lastGrowthAt = nowMs;
      this.toldThisSilence = false;
      return false;
    }
    if (this.toldThisSilence || nowMs - this.lastGrowthAt < this.stallMs) return false;
    this.toldThisSilence = true;
    return true;
  }

  /** Starts the wait over (after a restart). */
  reset(nowMs: number): void {
    this.lastGrowthAt = nowMs;
  }
}

/** Whether the call's negotiated audio lets the far end send to us (not held either way). */
export function receivesAudio(connection: Pick<RTCPeerConnection, 'getTransceivers'>): boolean {
  return connection
    .getTransceivers()
    .some(
      (transceiver) =>
        transceiver.currentDirection === 'sendrecv' || transceiver.currentDirection === 'recvonly',
    );
}

/** Audio RTP packets received so far over a stats report. */
export function audioPacketsReceived(report: RTCStatsReport): number {
  let packets = 0;
  report.forEach((entry: { type?: string; kind?: string; packetsReceived?: number }) => {
    if (entry.type === 'inbound-rtp' && entry.kind === 'audio') packets += entry.packetsReceived ?? 0;
  });
  return packets;
}

/** Sends the ICE-restart re-INVITE; resolves when it is answered, rejects when refused or impossible. */
export function restartIce(session: Session): Promise<void> {
  if (session.state !== SessionState.Established)
    return Promise.reject(new Error('the call is not connected'));
  // The hold state and other re-INVITE options stay; only this offer restarts ICE.
  const usual = session.sessionDescriptionHandlerOptionsReInvite;
  const restore = () => {
    session.sessionDescriptionHandlerOptionsReInvite = usual;
  };
  return new Promise<void>((resolve, reject) => {
    const usualWeb: Web.SessionDescriptionHandlerOptions = usual;
    const restarting: Web.SessionDescriptionHandlerOptions = {
      ...usualWeb,
      offerOptions: { ...usualWeb.offerOptions, iceRestart: true },
    };
    session
      .invite({
        sessionDescriptionHandlerOptions: restarting,
        requestDelegate: {
          onAccept: () => {
            restore();
            resolve();
          },
          onReject: (response) => {
            restore();
            reject(
              new Error(
                `ICE restart refused: ${response.message.statusCode} ${response.message.reasonPhrase}`,
              ),
            );
          },
        },
      })
      .catch((error: unknown) => {
        restore();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
}

export interface IceWatchOptions {
  /** "Reconnecting…" on (true) or off (false) for the call card. */
  onReconnecting(reconnecting: boolean): void;
  onError(context: string, error: unknown): void;
  /** The restart itself (the phone passes `restartIce`); replaced in tests. */
  restart?(session: Session): Promise<void>;
}

export interface IceWatch {
  /** Restarts ICE now (the agent's "Reconnect", or a test changing the path on demand). */
  restartNow(): Promise<void>;
  stop(): void;
}

/** Watches a connected call's ICE connection and restarts it when it drops. */
export function watchIceConnection(session: Session, options: IceWatchOptions): IceWatch {
  const handler = session.sessionDescriptionHandler;
  const connection = handler instanceof Web.SessionDescriptionHandler ? handler.peerConnection : undefined;
  if (!connection)
    return {
      restartNow: () => Promise.reject(new Error('the call has no media connection')),
      stop: () => undefined,
    };
  const restart = options.restart ?? restartIce;
  let reconnecting = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let stopped = false;
  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const markReconnecting = () => {
    if (reconnecting) return;
    reconnecting = true;
    options.onReconnecting(true);
  };
  const isUp = () =>
    connection.iceConnectionState === 'connected' || connection.iceConnectionState === 'completed';
  const recover = () => {
    clear();
    attempt = 0;
    if (!reconnecting) return;
    reconnecting = false;
    options.onReconnecting(false);
  };
  const retryDelay = () => RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)] ?? 6000;
  /** One restart; whatever its outcome, checked again later while media is still down. */
  let restarting = false;
  const attemptRestart = async (): Promise<void> => {
    if (restarting) return;
    restarting = true;
    markReconnecting();
    attempt += 1;
    try {
      await restart(session);
    } finally {
      restarting = false;
      // An ICE restart on a path that still works may never leave `connected`: done then.
      if (isUp()) recover();
      else if (session.state === SessionState.Established) schedule(retryDelay());
    }
  };
  const schedule = (afterMs: number) => {
    if (timer !== null || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      if (stopped) return;
      if (isUp()) {
        recover();
        return;
      }
      void attemptRestart().catch((error: unknown) => options.onError('restarting ICE', error));
    }, afterMs);
  };
  const onState = () => {
    const step = iceStep(connection.iceConnectionState, reconnecting);
    if (step.kind === 'recovered') recover();
    else if (step.kind === 'restart') {
      // The card says "Reconnecting…" from the first sign of trouble.
      markReconnecting();
      schedule(step.afterMs);
    }
  };
  connection.addEventListener('iceconnectionstatechange', onState);
  // A dead path shows first as audio that stopped arriving.
  const stall = new StallDetector();
  let reading = false;
  const stallCheck = setInterval(() => {
    if (reading || stopped || session.state !== SessionState.Established) return;
    reading = true;
    connection
      .getStats()
      .then((report) => {
        const now = Date.now();
        if (!stall.stalled(audioPacketsReceived(report), now, receivesAudio(connection))) return;
        // Once per stall: the restart's own retries take over from here.
        stall.reset(now);
        if (timer !== null) return;
        void attemptRestart().catch((error: unknown) => options.onError('restarting ICE', error));
      })
      .catch(() => undefined)
      .finally(() => {
        reading = false;
      });
  }, STALL_CHECK_INTERVAL_MS);
  return {
    restartNow: () => {
      clear();
      return attemptRestart();
    },
    stop: () => {
      stopped = true;
      clear();
      clearInterval(stallCheck);
      connection.removeEventListener('iceconnectionstatechange', onState);
    },
  };
}
