/**
 * The listeners of each event channel of the IPC contract. Every end that delivers events — the main
 * services, the browser bridge, test doubles — keeps them the same way.
 */
import type { EventChannel, EventPayload } from './ipc';

type StoredListener = (payload: never) => void;

export class EventListeners {
  private readonly byChannel = new Map<EventChannel, Set<StoredListener>>();

  /** Adds a listener; returns the function that removes it. */
  add<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    let set = this.byChannel.get(channel);
    if (set === undefined) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    const stored = listener as StoredListener;
    set.add(stored);
    return () => void set.delete(stored);
  }

  /** Calls every listener of the channel; one that throws is reported and does not stop the rest. */
  dispatch<C extends EventChannel>(
    channel: C,
    payload: EventPayload<C>,
    onError: (error: unknown) => void,
  ): void {
    for (const listener of this.byChannel.get(channel) ?? []) {
      try {
        (listener as (value: EventPayload<C>) => void)(payload);
      } catch (error) {
        onError(error);
      }
    }
  }

  count(channel: EventChannel): number {
    return this.byChannel.get(channel)?.size ?? 0;
  }
}
