/**
 * Three-way conference (SPEC §10.3): the agent merges the live call and the other connected (held) call.
 * Both legs are resumed and their outgoing audio is mixed locally (`conference-mix.ts`), so each party
 * hears the agent and the other party. The agent leaving ends every leg; one party hanging up leaves the
 * agent in an ordinary call with the other (its own microphone track back). The legs carry the
 * conference id in their snapshots, for the UI.
 */
import { SessionState, Web } from 'sip.js';
import type { AudioOutput } from './audio-output';
import type { CallControls } from './call-controls';
import { newId, type CallRecord, type CallRegistry } from './call-registry';
import { startConferenceMix, type ConferenceMix, type MixLeg } from './conference-mix';
import { endSession } from './session-end';
import type { Phone } from './types';

export type Conference = Pick<Phone, 'merge' | 'leaveConference'> & {
  /** The agent's mute for a conference leg: the microphone leaves the mix, the parties still hear each other. */
  muteInConference(callId: string, muted: boolean): boolean;
};

export interface ConferenceDeps {
  registry: CallRegistry;
  controls: Pick<CallControls, 'hold'>;
  output: AudioOutput;
  onError(context: string, error: unknown): void;
}

interface LiveConference {
  id: string;
  legs: CallRecord[];
  mix: ConferenceMix;
}

function mixLegOf(record: CallRecord): MixLeg {
  const handler = record.session.sessionDescriptionHandler;
  if (!(handler instanceof Web.SessionDescriptionHandler) || !handler.peerConnection)
    throw new Error('the call has no media');
  const sender = handler.peerConnection.getSenders().find((candidate) => candidate.track?.kind === 'audio');
  if (!sender) throw new Error('the call sends no audio');
  return { id: record.snapshot.id, remoteStream: handler.remoteMediaStream, sender };
}

export function createConference(deps: ConferenceDeps): Conference {
  const { registry } = deps;
  const conferences = new Map<string, LiveConference>();

  function conferenceOf(callId: string): LiveConference {
    const id = registry.require(callId).snapshot.conferenceId;
    const conference = id ? conferences.get(id) : undefined;
    if (!conference) throw new Error('this call is not in a conference');
    return conference;
  }

  /** Ends the mix; the legs still connected become ordinary calls again. */
  async function dissolve(conference: LiveConference): Promise<void> {
    if (!conferences.delete(conference.id)) return;
    await conference.mix.close();
    for (const leg of conference.legs) {
      if (registry.get(leg.snapshot.id)) registry.update(leg, { conferenceId: null });
    }
  }

  async function merge(callId: string): Promise<string> {
    const live = registry.require(callId);
    const others = registry
      .all()
      .filter((other) => other !== live && other.session.state === SessionState.Established);
    if (live.session.state !== SessionState.Established)
      throw new Error('only a connected call can be merged');
    if (others.length !== 1) throw new Error('a conference needs exactly two connected calls');
    const legs = [live, ...others];
    if (legs.some((leg) => leg.snapshot.conferenceId)) throw new Error('already in a conference');
    // Both parties must hear and be heard: resume whichever is on hold (neither holds the other).
    for (const leg of legs) await deps.controls.hold(leg.snapshot.id, false);
    const mixLegs = legs.map(mixLegOf);
    const microphone = mixLegs[0]?.sender.track;
    if (!microphone) throw new Error('the microphone is not open');
    const mix = await startConferenceMix(deps.output.audioContext(), microphone, mixLegs);
    mix.setMicMuted(legs.some((leg) => leg.snapshot.muted));
    const conference: LiveConference = { id: newId('conf'), legs, mix };
    conferences.set(conference.id, conference);
    for (const leg of legs) {
      // A consultation that became a conference is no longer one.
      registry.update(leg, { conferenceId: conference.id, consultCallId: null, consultFor: null });
      leg.session.stateChange.addListener((state) => {
        if (state !== SessionState.Terminated) return;
        void dissolve(conference).catch((error: unknown) => deps.onError('ending the conference mix', error));
      });
    }
    return conference.id;
  }

  async function leaveConference(callId: string): Promise<void> {
    const conference = conferenceOf(callId);
    await dissolve(conference);
    await Promise.all(
      conference.legs
        .filter((leg) => registry.get(leg.snapshot.id))
        .map((leg) => {
          registry.update(leg, { endReason: 'hangup' });
          return endSession(leg.session);
        }),
    );
  }

  function muteInConference(callId: string, muted: boolean): boolean {
    const id = registry.get(callId)?.snapshot.conferenceId;
    const conference = id ? conferences.get(id) : undefined;
    if (!conference) return false;
    conference.mix.setMicMuted(muted);
    for (const leg of conference.legs) if (registry.get(leg.snapshot.id)) registry.update(leg, { muted });
    return true;
  }

  return { merge, leaveConference, muteInConference };
}
