/**
 * Block and hang up, from a live call (issue 12): the caller hears the org's inbound announcement on the
 * established call — the outgoing track is replaced by the clip (`RTCRtpSender.replaceTrack`), so the
 * agent's voice never goes out with it — and then the call ends with a BYE. Creating the rule is the
 * app's part; this is the phone's.
 */
import { SessionState, Web } from 'sip.js';
import type { AnnouncementAudio } from './announcement';
import { ANNOUNCEMENT_TAIL_MS } from './blocked-call';
import type { CallRecord } from './call-registry';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Plays `clipUrl` to the other side of a connected call instead of the microphone, then BYE. */
export async function announceAndEnd(
  record: CallRecord,
  audio: AnnouncementAudio,
  clipUrl: string,
): Promise<number> {
  const { session } = record;
  if (session.state !== SessionState.Established)
    throw new Error('only a connected call can be announced to');
  const handler = session.sessionDescriptionHandler;
  const connection = handler instanceof Web.SessionDescriptionHandler ? handler.peerConnection : undefined;
  if (!connection) throw new Error('the call has no media connection');
  const announcement = audio.createOutgoing(clipUrl);
  try {
    const clipTrack = announcement.stream.getAudioTracks()[0];
    if (!clipTrack) throw new Error('the announcement has no audio track');
    const senders = connection.getSenders().filter((sender) => sender.track?.kind !== 'video');
    const microphones = senders.map((sender) => sender.track);
    await Promise.all(senders.map((sender) => sender.replaceTrack(clipTrack)));
    // The agent's microphone is closed, not just unplugged: nothing of the agent reaches the caller.
    for (const track of microphones) track?.stop();
    const playedMs = await announcement.play();
    await delay(ANNOUNCEMENT_TAIL_MS);
    if (session.state === SessionState.Established) await session.bye();
    return playedMs;
  } finally {
    announcement.stop();
  }
}
