import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/blockline.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `blockline` bin with `args`, feeding `stdin`. */
function blockline(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

const invite = (...headers: string[]): string =>
  [
    'INVITE sip:+12125550000@pbx.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1',
    ...headers,
    'Call-ID: abc',
    '',
    '',
  ].join('\r\n');

const TIMEOUT = 60_000;

describe('blockline CLI (the real bin)', () => {
  it(
    'normalizes one number to one JSON line',
    async () => {
      const ok = await blockline(['normalize', '--country', 'US', '+1 (212) 555-1234']);
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(jsonLines(ok.stdout)).toEqual([{ ok: true, e164: '+12125551234' }]);
      const bad = await blockline(['normalize', '--country=GB', '12']);
      expect(bad.code).toBe(0);
      expect(jsonLines(bad.stdout)).toEqual([
        { ok: false, reason: 'too_short', message: expect.stringContaining('"12"') },
      ]);
    },
    TIMEOUT,
  );

  it(
    'prints the extension it split off a pasted number (SPEC §1.1a)',
    async () => {
      const run = await blockline(['normalize', '--country', 'US', '(303) 555-0147 x 2041']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)).toEqual([{ ok: true, e164: '+13035550147', extension: '2041' }]);
      const jsonl = await blockline(
        ['normalize', '--jsonl'],
        `${JSON.stringify({ input: '\u200e+44 20 7946 0321 ext. 12' })}\n${JSON.stringify({ input: 'Tel.: +1 303 555 0147.' })}\n`,
      );
      expect(jsonLines(jsonl.stdout)).toEqual([
        { ok: true, e164: '+442079460321', extension: '12' },
        { ok: true, e164: '+13035550147' },
      ]);
    },
    TIMEOUT,
  );

  it(
    'refuses an emergency code of the given country, and only of that country (SPEC §1.3)',
    async () => {
      const us = await blockline(['normalize', '--country', 'US', '911']);
      expect(jsonLines(us.stdout)).toEqual([
        { ok: false, reason: 'emergency', message: expect.stringContaining('emergency') },
      ]);
      const jsonl = await blockline(
        ['normalize', '--jsonl'],
        ['{"input":"110","country":"DE"}', '{"input":"110","country":"US"}', '{"input":"17","country":"BF"}']
          .map((line) => `${line}\n`)
          .join(''),
      );
      expect(jsonLines(jsonl.stdout)).toEqual([
        { ok: false, reason: 'emergency', message: expect.any(String) },
        { ok: false, reason: 'too_short', message: expect.any(String) },
        { ok: false, reason: 'emergency', message: expect.any(String) },
      ]);
    },
    TIMEOUT,
  );

  it(
    'normalizes JSONL in order, one result per line, in one process',
    async () => {
      const input = [
        { input: '212.555.1234' },
        { input: '020 7946 0958', country: 'GB' },
        { input: '011 44 20 7946 0958' },
        { input: 'hello' },
        { input: '0044 20 7946 0958', country: 'gb' },
      ]
        .map((line) => JSON.stringify(line))
        .concat(['not json', '{"input": 5}', JSON.stringify({ input: '1', country: 'ZZ' })])
        .join('\n');
      const run = await blockline(['normalize', '--jsonl', '--country', 'US'], `${input}\n`);
      expect(run.code).toBe(0);
      expect(jsonLines(run.stdout)).toEqual([
        { ok: true, e164: '+12125551234' },
        { ok: true, e164: '+442079460958' },
        { ok: true, e164: '+442079460958' },
        { ok: false, reason: 'not_a_number', message: expect.stringContaining('hello') },
        { ok: true, e164: '+442079460958' },
        { ok: false, reason: 'bad_input', message: expect.any(String) },
        { ok: false, reason: 'bad_input', message: expect.stringContaining('"input"') },
        { ok: false, reason: 'invalid_country', message: expect.stringContaining('ZZ') },
      ]);
    },
    TIMEOUT,
  );

  it(
    'reads the caller identity of one raw SIP request on stdin',
    async () => {
      const withheld = await blockline(
        ['identity'],
        invite(
          'f: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
          'P-Asserted-Identity: <sip:+12125551234;verstat=TN-Validation-Failed@carrier.example;user=phone>',
          'Privacy: id',
        ),
      );
      expect(withheld.code).toBe(0);
      // Withheld (SPEC §3.3): anonymous to the callee, with the number the network asserted beside it.
      expect(jsonLines(withheld.stdout)).toEqual([
        { kind: 'anonymous', asserted: '+12125551234', verstat: 'TN-Validation-Failed' },
      ]);
      const rpidPrivate = await blockline(
        ['identity'],
        invite(
          'From: <sip:anonymous@anonymous.invalid>;tag=1',
          'Remote-Party-ID: <sip:+13035550147@carrier.example;user=phone>;party=calling;privacy=full;screen=yes',
        ),
      );
      expect(jsonLines(rpidPrivate.stdout)).toEqual([{ kind: 'anonymous', asserted: '+13035550147' }]);
      const shown = await blockline(['identity'], invite('From: <sip:+13035550147@carrier.example>;tag=1'));
      expect(jsonLines(shown.stdout)).toEqual([{ kind: 'number', e164: '+13035550147' }]);
      const broken = await blockline(['identity', '--country', 'GB'], 'this is not SIP');
      expect(broken.code).toBe(0);
      expect(jsonLines(broken.stdout)).toEqual([{ kind: 'unknown', problem: expect.any(String) }]);
    },
    TIMEOUT,
  );

  it(
    'reads identities as JSONL',
    async () => {
      const lines = [
        { message: invite('From: <sip:02079460958@carrier.example>;tag=1'), country: 'GB' },
        { message: invite('From: <sip:Restricted@carrier.example>;tag=1') },
        { message: invite('From: <sip:alice@corp.example>;tag=1') },
        { message: 'INVITE sip:x SIP/2.0\r\nFrom: <sip:+1212' },
        { nothing: true },
      ].map((line) => JSON.stringify(line));
      const run = await blockline(['identity', '--jsonl'], lines.join('\n'));
      expect(run.code).toBe(0);
      expect(jsonLines(run.stdout)).toEqual([
        { kind: 'number', e164: '+442079460958' },
        { kind: 'anonymous' },
        { kind: 'unknown' },
        { kind: 'unknown', problem: expect.any(String) },
        { kind: 'unknown', problem: expect.stringContaining('"message"') },
      ]);
    },
    TIMEOUT,
  );

  it(
    'rejects usage errors on stderr with exit status 2',
    async () => {
      const cases = [
        [],
        ['bogus'],
        ['normalize'],
        ['normalize', '--country', 'XX', '1'],
        ['identity', '--frobnicate'],
        ['normalize', '--country'],
      ];
      const runs = await Promise.all(cases.map((args) => blockline(args)));
      runs.forEach((run, i) => {
        expect(run.code, cases[i]?.join(' ')).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/^blockline: .+\nusage:/);
      });
    },
    TIMEOUT * 2,
  );
});
