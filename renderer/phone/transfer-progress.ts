/**
 * What becomes of a transfer the agent sent (SPEC §10.2), blind or attended: the REFER is answered (202
 * or refused), then the transferee reports its own call to the target in NOTIFYs whose message/sipfrag
 * body is that call's status line (`SIP/2.0 486 Busy Here`). `TransferTracker` turns those into the call
 * snapshot's `transfer` (trying → failed, the code in words and in figures) and calls back once on
 * success (the agent's legs end as `transferred`) or on failure (the calls stay the agent's). Silence is
 * a failure too: no word from the far end for `TRANSFER_SILENCE_MS` means the outcome is unknown.
 */
import type { Notification, Session, URI } from 'sip.js';
import { SessionState } from 'sip.js';
import { errorMessage } from '../../shared/error-message';
import type { CallRecord, CallRegistry } from './call-registry';
import type { TransferStatus } from './types';

/**
 * How long the phone waits for the next word on a transfer (the REFER's answer, or a NOTIFY) before it
 * calls the outcome unknown. Reset by each provisional NOTIFY: a target that rings is still in progress,
 * and the proxy ends a call nobody answers well before (Kamailio's `fr_inv_timer`, 30 s here).
 */
export const TRANSFER_SILENCE_MS = 30_000;

/** The status code and reason of a REFER NOTIFY's message/sipfrag body (`SIP/2.0 200 OK`), or null. */
export function sipfragStatusLine(body: string): { code: number; reason: string } | null {
  const match = /^SIP\/2\.0[ \t]+(\d{3})(?:[ \t]+([^\r\n]*))?(?:$|\r?\n)/.exec(body.trim());
  return match ? { code: Number(match[1]), reason: (match[2] ?? '').trim() } : null;
}

/** The status code of a REFER NOTIFY's sipfrag body, or null. */
export function sipfragStatus(body: string): number | null {
  return sipfragStatusLine(body)?.code ?? null;
}

/** A final SIP status of the transferee's call to the target, in the words an agent uses. */
export function statusWords(code: number): string {
  switch (code) {
    case 486:
    case 600:
      return 'busy';
    case 480:
    case 408:
      return 'no answer';
    case 404:
    case 604:
      return 'not found';
    case 403:
    case 603:
      return 'declined';
    case 484:
      return 'incomplete number';
    case 487:
      return 'cancelled';
    default:
      return code >= 500 ? 'the network could not connect it' : 'refused';
  }
}

/** "busy (486 Busy Here)": the words, and the code for whoever has to look into it. */
export function failureDetail(code: number, reason: string): string {
  return `${statusWords(code)} (${code}${reason ? ` ${reason}` : ''})`;
}

export interface TransferTrackerHooks {
  /** Every change of the transfer's status (the snapshot's `transfer`). */
  onChange(status: TransferStatus): void;
  /** The transferee reached the target (a 2xx sipfrag): once. */
  onSucceeded(): void;
  /** The transfer failed or its outcome is unknown: once, at the first failure. */
  onFailed(status: TransferStatus): void;
}

/** One transfer's state machine: trying → failed, or success. No sip.js in here: plain inputs only. */
export class TransferTracker {
  private current: TransferStatus;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failedOnce = false;
  private over = false;

  constructor(
    start: Pick<TransferStatus, 'kind' | 'target' | 'number'>,
    private readonly hooks: TransferTrackerHooks,
    private readonly silenceMs = TRANSFER_SILENCE_MS,
    now: number = Date.now(),
  ) {
    this.current = { ...start, state: 'trying', statusCode: null, detail: null, startedAt: now };
    this.hooks.onChange({ ...this.current });
    this.arm();
  }

  get status(): TransferStatus {
    return { ...this.current };
  }

  /** Finished: succeeded, refused outright, or stopped (the call ended). */
  get finished(): boolean {
    return this.over;
  }

  /** The REFER was accepted (202): the transferee now places its call; wait for its NOTIFYs. */
  referAccepted(): void {
    if (!this.over && this.current.state === 'trying') this.arm();
  }

  /** The REFER itself was refused: nothing was tried, and nothing more will come. */
  referRejected(code: number, reason: string): void {
    // Not the target's answer: the transferee itself will not transfer (no REFER support, a policy).
    this.fail(code, `the other side would not transfer the call (${code}${reason ? ` ${reason}` : ''})`);
    this.stop();
  }

  /** The REFER could not be sent at all. */
  referFailed(error: unknown): void {
    this.fail(null, `the transfer could not be sent (${errorMessage(error)})`);
    this.stop();
  }

  /** A NOTIFY of the REFER's implicit subscription, by its body. */
  notify(body: string): void {
    if (this.over) return;
    const line = sipfragStatusLine(body);
    if (line === null) {
      // Said as it is: nothing can be read from it, so the agent must not assume the caller is gone.
      this.fail(
        null,
        'the other side sent a transfer report that could not be read, so the outcome is unknown',
      );
      return;
    }
    if (line.code < 200) {
      if (this.current.state === 'trying') this.arm();
      return;
    }
    if (line.code < 300) {
      this.stop();
      this.hooks.onSucceeded();
      return;
    }
    this.fail(line.code, failureDetail(line.code, line.reason));
  }

  /** The call ended (or a new transfer replaced this one): no more timers, no more callbacks. */
  stop(): void {
    this.over = true;
    this.disarm();
  }

  private fail(statusCode: number | null, detail: string): void {
    if (this.over) return;
    this.disarm();
    this.current = { ...this.current, state: 'failed', statusCode, detail };
    this.hooks.onChange({ ...this.current });
    if (this.failedOnce) return;
    this.failedOnce = true;
    this.hooks.onFailed({ ...this.current });
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = null;
      const seconds = Math.round(this.silenceMs / 1000);
      this.fail(null, `no final answer from the other side within ${seconds} s, so the outcome is unknown`);
    }, this.silenceMs);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export interface SendTransferOptions {
  registry: CallRegistry;
  /** The call the REFER goes out on (for attended transfer, the held call). */
  record: CallRecord;
  kind: TransferStatus['kind'];
  /** What the agent transferred to, as typed or as the consulted call shows it, and its E.164 number. */
  target: string;
  number: string | null;
  /** A URI (blind) or the consultation session (attended: REFER with Replaces). */
  referTo: URI | Session;
  onSucceeded(): void;
  onFailed(status: TransferStatus): void;
  onError(context: string, error: unknown): void;
  silenceMs?: number;
}

/** Each call's latest transfer: a new attempt on a call replaces the old one. */
const trackers = new WeakMap<CallRecord, TransferTracker>();

/** Whether a transfer of this call is still waiting for its outcome. */
export function transferUnderWay(record: CallRecord): boolean {
  const tracker = trackers.get(record);
  return tracker !== undefined && !tracker.finished && tracker.status.state === 'trying';
}

/**
 * Sends the REFER and follows it in the call's snapshot. Resolves once the REFER has been answered, or
 * once the transfer failed without an answer; the outcome itself is in the snapshot's `transfer`.
 */
export function sendTransfer(options: SendTransferOptions): Promise<void> {
  const { registry, record } = options;
  trackers.get(record)?.stop();
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const tracker = new TransferTracker(
    { kind: options.kind, target: options.target, number: options.number },
    {
      onChange: (transfer) => {
        if (registry.get(record.snapshot.id)) registry.update(record, { transfer });
      },
      onSucceeded: () => {
        settle();
        options.onSucceeded();
      },
      onFailed: (status) => {
        settle();
        options.onFailed(status);
      },
    },
    options.silenceMs,
  );
  trackers.set(record, tracker);
  const ended = (state: SessionState) => {
    if (state !== SessionState.Terminated) return;
    tracker.stop();
    settle();
    record.session.stateChange.removeListener(ended);
  };
  record.session.stateChange.addListener(ended);

  const onNotify = (notification: Notification) => {
    notification.accept().catch((error: unknown) => options.onError('answering a transfer NOTIFY', error));
    // Only the latest attempt's NOTIFYs count: sip.js routes them all to the session's last REFER.
    if (trackers.get(record) === tracker) tracker.notify(notification.request.body);
  };
  record.session
    .refer(options.referTo, {
      requestDelegate: {
        onAccept: () => {
          tracker.referAccepted();
          settle();
        },
        onReject: (response) =>
          tracker.referRejected(response.message.statusCode ?? 0, response.message.reasonPhrase ?? ''),
      },
      onNotify,
    })
    .catch((error: unknown) => tracker.referFailed(error));
  return settled;
}
