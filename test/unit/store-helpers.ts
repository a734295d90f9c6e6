/** A scripted `BlocklineApi` for the store tests: records invokes, answers from handlers, emits events. */
import { EventListeners } from '../../shared/contracts/event-listeners';
import type {
  BlocklineApi,
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
} from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import type { BlocklistState } from '../../shared/contracts/ipc';

type Handler<C extends InvokeChannel> = (
  request: InvokeRequest<C>,
) => InvokeResponse<C> | Promise<InvokeResponse<C>>;

export interface FakeApi extends BlocklineApi {
  calls: { channel: InvokeChannel; request: unknown }[];
  handle<C extends InvokeChannel>(channel: C, handler: Handler<C>): void;
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  listenerCount(channel: EventChannel): number;
}

export function createFakeApi(): FakeApi {
  const handlers = new Map<InvokeChannel, (request: unknown) => unknown>();
  const listeners = new EventListeners();
  const calls: FakeApi['calls'] = [];
  return {
    calls,
    handle(channel, handler) {
      handlers.set(channel, (request) => handler(request as InvokeRequest<typeof channel>));
    },
    async invoke(channel, request) {
      calls.push({ channel, request });
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      return (await handler(request)) as InvokeResponse<typeof channel>;
    },
    on: (channel, listener) => listeners.add(channel, listener),
    emit(channel, payload) {
      listeners.dispatch(channel, payload, (error) => {
        throw error;
      });
    },
    listenerCount: (channel) => listeners.count(channel),
  };
}

let counter = 0;
export function makeRule(overrides: Partial<Rule> = {}): Rule {
  counter += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString();
  return {
    id: `rule-${counter}`,
    kind: 'block',
    number: `+1212555${String(1000 + counter).slice(-4)}`,
    scope: 'all',
    reason: `Reason ${counter}`,
    expiresAt: null,
    source: 'manual',
    createdBy: 'lead',
    createdAt: at,
    updatedAt: at,
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

export function makeBlocklistState(rules: Rule[], revision = 1): BlocklistState {
  return {
    revision,
    rules,
    settings: defaultOrgSettings('US'),
    lines: [
      { number: '+12125550100', label: 'Sales', announcementMode: 'early-media' },
      { number: '+12125550101', label: 'Support', announcementMode: 'early-media' },
    ],
  };
}
