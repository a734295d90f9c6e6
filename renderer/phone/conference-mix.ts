/**
 * The local mix of a three-way conference (SPEC §10.3), in Web Audio: every leg's outgoing track becomes
 * the microphone plus every *other* leg's remote audio, so each party hears the agent and the other party
 * but never an echo of itself. The agent hears both remote streams on the one output path already (each
 * call's remote audio is attached there when it connects), so the mix only builds what is sent.
 */

/** One conference leg as the mix sees it: what it receives, and the sender its outgoing audio goes by. */
export interface MixLeg {
  id: string;
  remoteStream: MediaStream;
  sender: RTCRtpSender;
}

export interface ConferenceMix {
  /** Mutes or unmutes the agent's microphone in every leg (the parties keep hearing each other). */
  setMicMuted(muted: boolean): void;
  /** Restores every leg's own microphone track and releases the mix. */
  close(): Promise<void>;
}

interface BuiltLeg {
  leg: MixLeg;
  original: MediaStreamTrack | null;
  destination: MediaStreamAudioDestinationNode;
}

/**
 * Sends each leg the microphone plus the other legs' remote audio. `microphone` is the agent's track (one
 * of the legs' own); each leg's original track is put back by `close()`.
 */
export async function startConferenceMix(
  context: AudioContext,
  microphone: MediaStreamTrack,
  legs: readonly MixLeg[],
): Promise<ConferenceMix> {
  const micGain = context.createGain();
  const micSource = context.createMediaStreamSource(new MediaStream([microphone]));
  micSource.connect(micGain);
  const remoteSources = new Map(
    legs.map((leg) => [leg.id, context.createMediaStreamSource(leg.remoteStream)] as const),
  );
  const built: BuiltLeg[] = legs.map((leg) => {
    const destination = context.createMediaStreamDestination();
    micGain.connect(destination);
    for (const [id, source] of remoteSources) if (id !== leg.id) source.connect(destination);
    return { leg, original: leg.sender.track, destination };
  });
  await Promise.all(
    built.map(({ leg, destination }) =>
      leg.sender.replaceTrack(destination.stream.getAudioTracks()[0] ?? null),
    ),
  );
  let closed = false;
  return {
    setMicMuted(muted) {
      micGain.gain.value = muted ? 0 : 1;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        built.map(({ leg, original }) => leg.sender.replaceTrack(original).catch(() => undefined)),
      );
      micSource.disconnect();
      micGain.disconnect();
      for (const source of remoteSources.values()) source.disconnect();
      for (const { destination } of built) {
        for (const track of destination.stream.getTracks()) track.stop();
      }
    },
  };
}
