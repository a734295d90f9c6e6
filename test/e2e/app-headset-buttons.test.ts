/**
 * SPEC §10.9, headset buttons, through the real product in the SIP lab: the org server, the browser
 * host with the built renderer in Debian's Chromium registered as agent1, and baresip calling it.
 * `navigator.hid` is STUBBED by an init script — headless Chromium here has no HID device — with one
 * fake headset carrying a recorded descriptor (test/unit/hid-headset-fixtures.ts, Jabra-style); the
 * test sends that device's input reports: off hook answers the real call, the mute button mutes it,
 * on hook hangs it up (baresip reports the call closed within 4 s of the report, long before its
 * own end). Settings → Phone lists the headset and asks WebHID for
 * telephony devices only.
 *
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project e2e test/e2e/app-headset-buttons.test.ts'
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HidCollectionInfo } from '../../shared/hid-telephony';
import { baresipCall } from '../sip-lab/baresip';
import { JABRA_STYLE } from '../unit/hid-headset-fixtures';
import { startLabAppStack, type LabAppStack } from './lab-app-stack';
import type { RunningApp } from './real-app';

const TOKENS = { admin: 'e2e-admin-token-0003', lead: 'e2e-lead-token-0003', agent: 'e2e-agent-token-0003' };
/** Not in the demo org's list: the call rings. */
const CALLER = '+12125550177';
const HEADSET_NAME = 'Jabra-style test headset';
const canRun =
  existsSync('/usr/bin/chromium') && existsSync('/usr/sbin/kamailio') && existsSync('/usr/bin/baresip');

/**
 * In the page before the app loads: `navigator.hid` with one permitted fake headset. The test drives
 * it through `window.__headset.report(reportId, bytes)`; reports reach listeners only while open, as
 * with a real device. `requestDevice` calls are recorded.
 */
function stubWebHid({ name, collections }: { name: string; collections: HidCollectionInfo[] }) {
  class FakeHidDevice extends EventTarget {
    opened = false;
    readonly vendorId = 0x0b0e;
    readonly productId = 0x0001;
    readonly productName = name;
    readonly collections = collections;
    async open() {
      this.opened = true;
    }
    async close() {
      this.opened = false;
    }
  }
  const device = new FakeHidDevice();
  const requests: unknown[] = [];
  class FakeHid extends EventTarget {
    async getDevices() {
      return [device];
    }
    async requestDevice(options: unknown) {
      requests.push(options);
      return [device];
    }
  }
  const hid = new FakeHid();
  Object.defineProperty(Navigator.prototype, 'hid', { configurable: true, get: () => hid });
  Object.defineProperty(window, '__headset', {
    value: {
      requests,
      isOpen: () => device.opened,
      report(reportId: number, bytes: number[]) {
        if (!device.opened) return false;
        const data = new DataView(new Uint8Array(bytes).buffer);
        device.dispatchEvent(Object.assign(new Event('inputreport'), { device, reportId, data }));
        return true;
      },
    },
  });
}

/** What the stub exposes to the test (see `stubWebHid`). */
interface HeadsetStub {
  requests: unknown[];
  isOpen(): boolean;
  report(reportId: number, bytes: number[]): boolean;
}

/** Report 2 of the Jabra-style layout: bit 0 hook switch, bit 1 line busy, bit 2 phone mute. */
async function headsetReport(page: Page, bits: number): Promise<void> {
  const delivered = await page.evaluate((first) => {
    const headset: HeadsetStub = Reflect.get(window, '__headset');
    return headset.report(2, [first, 0]);
  }, bits);
  expect(delivered, 'the app has not opened the headset').toBe(true);
}

describe.skipIf(!canRun)(
  `headset buttons (navigator.hid stubbed) on a real call${canRun ? '' : ' (SKIPPED: chromium, kamailio or baresip is not installed)'}`,
  () => {
    let stack: LabAppStack;
    let app: RunningApp;

    beforeAll(async () => {
      stack = await startLabAppStack({ name: 'headset', tokens: TOKENS });
      app = await stack.startApp(TOKENS.agent, 'host-data', {
        beforeLoad: (page) =>
          page.addInitScript(stubWebHid, { name: HEADSET_NAME, collections: JABRA_STYLE }),
      });
    }, 150_000);

    afterAll(async () => {
      await app?.close().catch(() => undefined);
      await stack?.close();
    });

    it('stubbed headset: off hook answers the real call, mute mutes, on hook hangs up', async () => {
      const { page } = app;
      await expect
        .poll(
          () =>
            page.evaluate(() => {
              const headset: HeadsetStub = Reflect.get(window, '__headset');
              return headset.isOpen();
            }),
          {
            timeout: 5000,
          },
        )
        .toBe(true);
      // When baresip says the call closed: our BYE, not its own end after durationS.
      let closedAt: number | null = null;
      const call = baresipCall({
        from: `sip:${CALLER}@127.0.0.1`,
        target: 'sip:agent1@127.0.0.1',
        durationS: 20,
        port: 5096,
        onLine: (line) => {
          if (/closed|terminated/i.test(line)) closedAt ??= Date.now();
        },
      });
      await page.getByTestId('incoming-call').waitFor({ timeout: 10_000 });

      await headsetReport(page, 0b001); // off hook
      const card = page.getByTestId('in-call');
      await card.waitFor({ timeout: 10_000 });
      await expect.poll(() => card.getByRole('button', { name: 'Hang up' }).isVisible()).toBe(true);
      await expect.poll(() => page.getByTestId('incoming-call').count(), { timeout: 5000 }).toBe(0);

      await headsetReport(page, 0b101); // mute pressed
      await headsetReport(page, 0b001); // and released: still muted (it is a toggle)
      await expect
        .poll(() => card.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'))
        .toBe('true');
      await headsetReport(page, 0b101);
      await headsetReport(page, 0b001);
      await expect
        .poll(() => card.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed'))
        .toBe('false');

      const onHookAt = Date.now();
      await headsetReport(page, 0b000); // on hook, well before baresip's own 20 s
      await expect.poll(() => page.getByTestId('in-call').count(), { timeout: 4000 }).toBe(0);
      const finished = await call;
      expect(finished.output, finished.output).toMatch(/established/i);
      expect(closedAt, finished.output).not.toBeNull();
      expect((closedAt ?? Infinity) - onHookAt, finished.output).toBeLessThan(4000);
      const entry = page.getByTestId('history-entry').first();
      await expect.poll(() => entry.textContent(), { timeout: 5000 }).toContain('Answered');
      expect(app.pageErrors.filter((message) => /\[phone\]/.test(message))).toEqual([]);
    });

    it('stubbed headset: Settings → Phone lists it and asks WebHID for telephony devices', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('tab', { name: 'Phone' }).click();
      const list = page.getByRole('list', { name: 'Headsets in use' });
      await expect.poll(() => list.textContent(), { timeout: 5000 }).toContain(HEADSET_NAME);
      const choose = page.getByRole('button', { name: 'Use headset buttons…' });
      await choose.focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() =>
          page.evaluate(() => {
            const headset: HeadsetStub = Reflect.get(window, '__headset');
            return JSON.stringify(headset.requests);
          }),
        )
        .toBe(JSON.stringify([{ filters: [{ usagePage: 0x0b }] }]));
    });
  },
);
