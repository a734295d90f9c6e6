/**
 * The CRM companion (SPEC §10.11), fed by the calls store: the screen-pop of each allowed call (blocked
 * calls never reach the calls store, so they never pop), opened once through the host where it can
 * open URLs (on ring or on answer, the agent's choice) and otherwise kept as the call's link, opened
 * by the Answer click itself (a page may open a window only on a gesture); and the wrap-up due after
 * each answered call. An answered outbound call gets its report when it connects, so its wrap-up has
 * a report to name, as an inbound call's does from the ring.
 */
import type { CallReport } from '../../shared/contracts/api';
import { screenPopUrl } from '../../shared/screen-pop';
import type { CallSnapshot } from '../phone/types';
import { reportId } from '../phone/call-records';
import type { CompanionStore } from '../stores/companion';
import { displayNumber } from './format';
import type { AppStores } from './stores';

/** The id of the report the server keeps for this call (the one a wrap-up names). */
export function callReportId(call: Pick<CallSnapshot, 'id' | 'direction'>): string {
  return reportId(call.direction === 'inbound' ? 'in' : 'out', call.id);
}

/** The report of an outbound call the far end answered (outbound calls are otherwise reported only when blocked). */
export function reportForAnsweredOutbound(call: CallSnapshot): CallReport {
  return {
    id: callReportId(call),
    callId: call.sipCallId ?? call.id,
    direction: 'outbound',
    line: call.line,
    number: call.number,
    anonymous: false,
    action: 'allow',
    why: call.emergency ? 'emergency' : 'no_match',
    ruleId: null,
    at: new Date(call.connectedAt ?? call.startedAt).toISOString(),
    verstat: null,
  };
}

/**
 * From the Answer click, in a host that cannot open URLs itself (the browser host): the call's pop
 * opens in a new tab by that click, which is the gesture a browser requires.
 */
export function openPopOnAnswerClick(
  companion: CompanionStore,
  callId: string,
  open: (url: string) => void = (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
): void {
  const state = companion.getState();
  const url = state.popUrls[callId];
  if (url === undefined || state.hostOpens !== false || !state.claimPop(callId)) return;
  open(url);
}

/** Starts following the calls; returns the function that stops it. */
export function startCrmCompanion(stores: AppStores): () => void {
  const { api, companion } = stores;
  const reported = new Set<string>();
  const seen = new Map<string, CallSnapshot['state']>();

  void api
    .invoke('app:info', undefined)
    .then((info) => companion.getState().setHostOpens(info.capabilities.openExternal === true))
    .catch(() => companion.getState().setHostOpens(false));

  const urlFor = (call: CallSnapshot): string | null => {
    const settings = stores.blocklist.getState().data?.settings;
    if (!settings || settings.screenPopUrl === '') return null;
    return screenPopUrl(settings.screenPopUrl, {
      e164: call.number,
      national: call.number === null ? null : displayNumber(call.number, settings.defaultCountry),
      line: call.line,
      direction: call.direction,
    });
  };

  const pop = (call: CallSnapshot) => {
    const url = companion.getState().popUrls[call.id];
    if (url === undefined || companion.getState().hostOpens !== true) return;
    if (!companion.getState().claimPop(call.id)) return;
    void api.invoke('screenPop:open', { url }).catch(() => undefined);
  };

  const onCall = (call: CallSnapshot, before: CallSnapshot['state'] | undefined) => {
    const state = companion.getState();
    if (before === undefined && call.state !== 'ended') state.setPopUrl(call.id, urlFor(call));
    const ringing = call.state === 'incoming' || call.state === 'dialing' || call.state === 'ringing';
    if (ringing && state.screenPopOn === 'ring') pop(call);
    if (call.state === 'connected' && before !== 'connected') {
      if (state.screenPopOn === 'answer') pop(call);
      if (call.direction === 'outbound' && !reported.has(call.id)) {
        reported.add(call.id);
        void api.invoke('calls:report', reportForAnsweredOutbound(call)).catch(() => undefined);
      }
    }
    if (call.state === 'ended') {
      state.setPopUrl(call.id, null);
      if (call.connectedAt !== null)
        state.addWrapUpDue({
          callId: call.id,
          reportId: callReportId(call),
          number: call.number,
          remote: call.remote,
          direction: call.direction,
          endedAt: call.endedAt ?? Date.now(),
        });
    }
  };

  return stores.calls.subscribe((current) => {
    for (const call of Object.values(current.calls)) {
      const before = seen.get(call.id);
      if (before === call.state) continue;
      seen.set(call.id, call.state);
      onCall(call, before);
    }
    for (const id of seen.keys()) if (!(id in current.calls)) seen.delete(id);
  });
}
