/**
 * Real sip.js parts for the phone's unit tests: a PhoneLine whose user agent is built but never started
 * (no socket is opened), Inviters on it, and a call registry tracking one of them. Their sessions run
 * sip.js's own state machine.
 */
import { Inviter, UserAgent, type SessionDescriptionHandlerFactory } from 'sip.js';
import { CallRegistry, type CallRecord, type NewCall } from '../../renderer/phone/call-registry';
import { PhoneLine } from '../../renderer/phone/phone-line';
import type { CallSnapshot } from '../../renderer/phone/types';

/** Outgoing media cannot exist in Node (no RTCPeerConnection): a session that needs it fails. */
const noMedia: SessionDescriptionHandlerFactory = () => {
  throw new Error('no media in Node');
};

export function unstartedLine(id = 'agent1'): PhoneLine {
  return new PhoneLine({
    account: {
      id,
      websocketUrl: 'ws://127.0.0.1:9',
      sipUri: `sip:${id}@lab.invalid`,
      displayName: 'Agent',
      lineNumber: '+12125550000',
      iceServers: [],
      enabled: true,
    },
    password: null,
    sessionDescriptionHandlerFactory: noMedia,
    logLevel: 'error',
    reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 },
    onInvite: () => undefined,
    onChange: () => undefined,
    onError: () => undefined,
  });
}

export function inviterOn(line: PhoneLine, target = 'sip:+12125550100@lab.invalid'): Inviter {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad test URI ${target}`);
  return new Inviter(line.userAgent, uri);
}

/**
 * A new registry tracking one call with +12125550100 on a real sip.js session that never connects:
 * outgoing and still dialling unless `call` says otherwise. `onChange` sees each snapshot; the other
 * hooks do nothing.
 */
export function trackedCall(
  onChange: (snapshot: CallSnapshot) => void = () => undefined,
  call: Partial<NewCall> = {},
): { registry: CallRegistry; record: CallRecord } {
  const registry = new CallRegistry({
    onChange,
    onConnected: () => undefined,
    onEnded: () => undefined,
    onError: () => undefined,
  });
  const line = unstartedLine();
  const record = registry.track(line, inviterOn(line), {
    direction: 'outbound',
    number: '+12125550100',
    remote: '+12125550100',
    verification: null,
    state: 'dialing',
    emergency: false,
    ...call,
  });
  return { registry, record };
}
