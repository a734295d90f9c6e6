/**
 * The calls the phone holds: one record per live sip.js session with its plain snapshot, kept in step
 * with the session's state. The UI only ever sees the snapshots (by call id); records leave the registry
 * when their session terminates. Several records may be live at once (a waiting call, a consultation
 * call for an attended transfer, conference legs), each with its own id.
 */
import { SessionState, type Invitation, type Inviter } from 'sip.js';
import type { RemoteAudio } from './call-media';
import type { PhoneLine } from './phone-line';
import type { CallSnapshot } from './types';

export type CallSession = Invitation | Inviter;

export interface CallRecord {
  snapshot: CallSnapshot;
  session: CallSession;
  line: PhoneLine;
  remoteAudio: RemoteAudio | null;
}

/** The fields a new call starts with; the rest follow from the line and the session. */
export type NewCall = Pick<
  CallSnapshot,
  'direction' | 'number' | 'remote' | 'verification' | 'state' | 'emergency'
>;

export interface CallRegistryHooks {
  /** Every snapshot change, as a copy. */
  onChange(snapshot: CallSnapshot): void;
  /** The session is established: media can be attached. */
  onConnected(record: CallRecord): void;
  /** The session terminated: release its media (called before the final snapshot is sent). */
  onEnded(record: CallRecord): void;
  onError(context: string, error: unknown): void;
}

let nextId = 0;
/** A unique id for a call or a blocked attempt (the counter keeps them ordered within one run). */
export function newId(prefix: string): string {
  nextId += 1;
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : String(Math.random()).slice(2);
  return `${prefix}-${random}-${nextId}`;
}

/** The SIP Call-ID of a session, or null when the request cannot tell it. */
export function safeCallId(session: CallSession): string | null {
  try {
    return session.request.callId || null;
  } catch {
    return null;
  }
}

/** Why a call ended when nothing set a reason: the far end hung up, the caller gave up, or it failed. */
export function endReasonOnTermination(snapshot: CallSnapshot): string {
  if (snapshot.endReason !== null) return snapshot.endReason;
  if (snapshot.connectedAt !== null) return 'remote_hangup';
  return snapshot.direction === 'inbound' ? 'cancelled' : 'failed';
}

export class CallRegistry {
  private readonly records = new Map<string, CallRecord>();

  constructor(private readonly hooks: CallRegistryHooks) {}

  /** Starts tracking a session: its state changes become snapshot changes until it terminates. */
  track(line: PhoneLine, session: CallSession, initial: NewCall): CallRecord {
    const snapshot: CallSnapshot = {
      id: newId('call'),
      accountId: line.account.id,
      line: line.account.lineNumber,
      muted: false,
      held: false,
      startedAt: Date.now(),
      connectedAt: null,
      endedAt: null,
      endReason: null,
      sipCallId: safeCallId(session),
      consultCallId: null,
      consultFor: null,
      transfer: null,
      conferenceId: null,
      ...initial,
    };
    const record: CallRecord = { snapshot, session, line, remoteAudio: null };
    this.records.set(snapshot.id, record);
    session.stateChange.addListener((state) => {
      try {
        if (state === SessionState.Established) {
          this.update(record, { state: 'connected', connectedAt: Date.now() });
          this.hooks.onConnected(record);
        } else if (state === SessionState.Terminated) {
          const endReason = endReasonOnTermination(record.snapshot);
          this.hooks.onEnded(record);
          this.update(record, { state: 'ended', endedAt: Date.now(), endReason });
          this.records.delete(snapshot.id);
        }
      } catch (error) {
        this.hooks.onError('call state', error);
      }
    });
    return record;
  }

  update(record: CallRecord, patch: Partial<CallSnapshot>): void {
    record.snapshot = { ...record.snapshot, ...patch };
    this.hooks.onChange({ ...record.snapshot });
  }

  get(callId: string): CallRecord | undefined {
    return this.records.get(callId);
  }

  require(callId: string): CallRecord {
    const record = this.records.get(callId);
    if (!record) throw new Error(`no call with id ${callId}`);
    return record;
  }

  all(): CallRecord[] {
    return [...this.records.values()];
  }

  snapshots(): CallSnapshot[] {
    return this.all().map((record) => ({ ...record.snapshot }));
  }
}
