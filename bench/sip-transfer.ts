/**
 * `sip.transfer_complete.p50|p99` for `npm run bench -- sip`: attended transfer with the three lab
 * parties (test/sip-lab/three-parties.ts) — A (the sip.js caller page) on hold, the agent consulting C (a
 * registered baresip that answers by itself) — timed from *Complete* (the REFER with Replaces leaves the
 * phone) to the NOTIFY saying the transfer succeeded (the phone marks both legs `transferred` as it
 * arrives). That span holds A's INVITE with Replaces to C through Kamailio and rtpengine, C's 200, and
 * A's NOTIFY back. Baseline in the same run: the consultation call's own set-up (`startedAt` →
 * `connectedAt`, ms resolution), an ordinary INVITE → 200 over the same path. Starts its own lab: run it after the other SIP figures' lab has stopped.
 */
import type { CallSnapshot } from '../renderer/phone/types';
import {
  agentCalls,
  connectA,
  consultConnected,
  startConsultTarget,
  startParties,
  until,
} from '../test/sip-lab/three-parties';
import { metric, percentile } from './lib';

const A_NUMBER = '+12125550150';
const C_NUMBER = '+12125550170';

export async function measureTransferComplete(transfers = 12): Promise<void> {
  const parties = await startParties([]);
  const c = await startConsultTarget(C_NUMBER, 600);
  const spans: number[] = [];
  const setups: number[] = [];
  try {
    for (let round = 0; round < transfers; round += 1) {
      const a = await connectA(parties, A_NUMBER);
      const consultId = await consultConnected(parties, a.callId, C_NUMBER);
      const consultation = (await agentCalls(parties)).find((call) => call.id === consultId);
      if (consultation?.connectedAt) setups.push(consultation.connectedAt - consultation.startedAt);
      const spanMs = await parties.agent.evaluate(async (id) => {
        const lab = window.lab;
        if (!lab) throw new Error('harness not loaded');
        // No named helpers in here: tsx's keepNames would reference a __name the page does not have.
        const startedAt = performance.now();
        await lab.completeTransfer(id);
        for (;;) {
          const transferred = lab
            .events()
            .some(
              (event) => event.type === 'call' && (event.data as CallSnapshot).endReason === 'transferred',
            );
          if (transferred) return performance.now() - startedAt;
          if (performance.now() - startedAt > 10_000) throw new Error('no NOTIFY within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }, consultId);
      spans.push(spanMs);
      await until('the agent has no call left', async () => (await agentCalls(parties)).length === 0);
      // A hangs up its transferred call with C; the next round starts clean.
      const referred = await until('A followed the REFER', () =>
        parties.caller.evaluate((id) => window.caller?.referredCall(id) ?? null, a.callerId),
      );
      await parties.caller.evaluate((id) => window.caller?.hangup(id), referred);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    c.hangUp();
    await c.finished;
    await parties.close();
  }
  console.error(
    `transfer complete → NOTIFY 200 over ${spans.length} transfers: ${spans.map((ms) => ms.toFixed(0)).join(' ')} ms`,
  );
  metric('sip.transfer_complete.p50', percentile(spans, 0.5), 'ms');
  metric('sip.transfer_complete.p99', percentile(spans, 0.99), 'ms');
  // Same-run baseline: an ordinary call set up over the same path (the agent's consultation INVITE → 200).
  metric('sip.transfer_consult_setup.p50', percentile(setups, 0.5), 'ms');
  metric('sip.transfer_consult_setup.p99', percentile(setups, 0.99), 'ms');
  metric('sip.transfer_vs_call_setup.p50', percentile(spans, 0.5) / percentile(setups, 0.5), 'ratio');
}
