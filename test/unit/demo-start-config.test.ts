import { describe, expect, it } from 'vitest';
import { planBrowser } from '../../scripts/demo/browser';
import { callerUri } from '../../scripts/demo/call';
import { parseDemoConfig } from '../../scripts/demo/config';
import { LAB_PORTS } from '../sip-lab/lab';

describe('npm start: ports and switches', () => {
  it("defaults to the SIP lab's ports, so a phone on this computer calls in on 127.0.0.1:5060", () => {
    const config = parseDemoConfig([], {});
    expect(config.ports).toMatchObject({ ...LAB_PORTS, server: 8787, app: 5173 });
    expect(config.ports.sipUdp).toBe(5060);
    expect(config).toMatchObject({ showTokens: false, pbx: true, browser: 'auto' });
  });

  it('takes every port from the environment, and a flag over the environment', () => {
    const config = parseDemoConfig(['--sip-udp-port', '5062'], {
      BLOCKLINE_SIP_UDP_PORT: '5061',
      BLOCKLINE_SIP_WS_PORT: '8081',
      BLOCKLINE_RTPENGINE_PORT: '22223',
      BLOCKLINE_GATEWAY_PORT: '5071',
      PORT: '9000',
    });
    expect(config.ports).toMatchObject({
      sipUdp: 5062,
      sipWs: 8081,
      rtpengineNg: 22223,
      gateway: 5071,
      server: 9000,
    });
  });

  it('refuses a port that is not one, an empty RTP range and an unknown flag', () => {
    expect(() => parseDemoConfig(['--sip-udp-port', '70000'], {})).toThrow(/port number/);
    expect(() => parseDemoConfig([], { BLOCKLINE_SIP_WS_PORT: 'http' })).toThrow(/port number/);
    expect(() => parseDemoConfig(['--rtp-port-min', '31000', '--rtp-port-max', '30000'], {})).toThrow(
      /empty/,
    );
    expect(() => parseDemoConfig(['--sip-port', '5060'], {})).toThrow();
  });

  it('prints tokens only when asked; --no-pbx and --no-browser switch those parts off', () => {
    expect(parseDemoConfig(['--show-tokens', '--no-pbx', '--no-browser'], {})).toMatchObject({
      showTokens: true,
      pbx: false,
      browser: 'never',
    });
    expect(parseDemoConfig([], { BLOCKLINE_OPEN_BROWSER: '1' }).browser).toBe('always');
  });
});

describe('npm start: the browser window', () => {
  it('opens Chromium in app mode with its own profile and the flags loopback calls need, where there is a display', () => {
    const plan = planBrowser('http://127.0.0.1:5173/?secret=s', '/tmp/profile', 'auto', {
      DISPLAY: ':0',
      BLOCKLINE_BROWSER: process.execPath, // any file that exists stands in for the binary
    });
    expect(plan).toMatchObject({ command: process.execPath });
    const args = 'args' in plan ? plan.args : [];
    expect(args).toContain('--user-data-dir=/tmp/profile');
    expect(args).toContain('--allow-loopback-in-peer-connection');
    expect(args).toContain('--disable-features=WebRtcHideLocalIpsWithMdns');
    expect(args.at(-1)).toBe('--app=http://127.0.0.1:5173/?secret=s');
  });

  it('opens nothing without a display (Linux), and says why', () => {
    if (process.platform !== 'linux') return;
    expect(planBrowser('http://x', '/tmp/p', 'auto', {})).toEqual({
      reason: expect.stringMatching(/no display/),
    });
    expect(planBrowser('http://x', '/tmp/p', 'always', { BLOCKLINE_BROWSER: '/nonexistent' })).toEqual({
      reason: expect.stringMatching(/no Chromium/),
    });
  });
});

describe('demo:call: the caller it presents', () => {
  it('calls from the number, with a verstat parameter when asked, or as anonymous', () => {
    expect(callerUri({ from: '+19005550123', anonymous: false, verstat: null })).toBe(
      'sip:+19005550123@127.0.0.1',
    );
    expect(callerUri({ from: '+14155550142', anonymous: false, verstat: 'TN-Validation-Failed' })).toBe(
      'sip:+14155550142;verstat=TN-Validation-Failed@127.0.0.1',
    );
    expect(callerUri({ from: '+14155550142', anonymous: true, verstat: null })).toBe(
      'sip:anonymous@anonymous.invalid',
    );
  });
});
