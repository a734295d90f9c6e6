/**
 * The org's own announcements (SPEC §12.5), part of the shared API suite: it runs on SQLite and on
 * PostgreSQL. Real uploads (WAV made here, MP3, Ogg Vorbis and Ogg Opus fixtures) go through the real
 * decoders.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import wavefile from 'wavefile';
import { expect, it } from 'vitest';
import { activeLevelDbfs, TARGET_LEVEL_DBFS } from '../../server/announcement-audio';
import type { Database } from '../../server/db/database';
import type { Change, Snapshot } from '../../shared/contracts/api';
import type { AuditListEntry } from '../../shared/contracts/oversight';
import { call, errorCode, makeOrg, type Reply, type TestOrg } from './server-harness';

export interface AnnouncementSuiteContext {
  app: FastifyInstance;
  database: Database;
}

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'audio');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

/** A WAV of a sine tone: `amplitude` of full scale, on every channel. */
export function toneWav(options: {
  seconds: number;
  sampleRate?: number;
  channels?: number;
  amplitude?: number;
  frequency?: number;
}): Buffer {
  const { seconds, sampleRate = 44_100, channels = 1, amplitude = 0.05, frequency = 440 } = options;
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * i) / sampleRate));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, sampleRate, '16', channels === 1 ? samples : Array(channels).fill(samples));
  return Buffer.from(wav.toBuffer());
}

/** A mono WAV read back: its format, samples, length and active level. */
export function readWav(bytes: Uint8Array) {
  const wav = new wavefile.WaveFile(bytes);
  // Copied: toBitDepth resets the fmt chunk it converts.
  const fmt = { ...(wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number }) };
  wav.toBitDepth('32f');
  const samples = wav.getSamples(false, Float32Array) as unknown as Float32Array;
  return {
    channels: fmt.numChannels,
    sampleRate: fmt.sampleRate,
    bits: fmt.bitsPerSample,
    samples,
    durationMs: (samples.length / fmt.sampleRate) * 1000,
    levelDbfs: activeLevelDbfs(samples, fmt.sampleRate),
  };
}

/** What GET answered, read back. */
const readClip = (reply: { rawPayload: Buffer }) => readWav(reply.rawPayload);

/**
 * The pitch of a pure tone, in Hz, from its rising zero crossings over the middle 80 % (away from the
 * encoder's fade-in and the resampler's edges), interpolated between samples.
 */
export function frequencyHz(samples: Float32Array, sampleRate: number): number {
  const from = Math.floor(samples.length * 0.1);
  const to = Math.floor(samples.length * 0.9);
  const crossings: number[] = [];
  for (let i = from; i < to; i++) {
    const a = samples[i]!;
    const b = samples[i + 1]!;
    if (a < 0 && b >= 0) crossings.push(i + a / (a - b));
  }
  if (crossings.length < 2) return 0;
  return ((crossings.length - 1) * sampleRate) / (crossings.at(-1)! - crossings[0]!);
}

export function defineAnnouncementTests(context: () => AnnouncementSuiteContext): void {
  const put = (
    org: TestOrg,
    kind: string,
    body: Buffer,
    contentType: string,
    role: 'admin' | 'lead' | 'agent' = 'admin',
  ) =>
    context().app.inject({
      method: 'PUT',
      url: `/v1/announcements/${kind}`,
      headers: { authorization: `Bearer ${org.tokens[role]}`, 'content-type': contentType },
      payload: body,
    });
  const getAudio = (org: TestOrg, kind: string, role: 'admin' | 'lead' | 'agent' = 'agent', headers = {}) =>
    context().app.inject({
      method: 'GET',
      url: `/v1/announcements/${kind}`,
      headers: { authorization: `Bearer ${org.tokens[role]}`, ...headers },
    });
  const envelopeOf = (response: { statusCode: number; body: string }): Reply => ({
    status: response.statusCode,
    body: JSON.parse(response.body) as unknown,
    text: response.body,
    headers: {},
  });

  it('§12.5 an admin uploads a WAV: it is normalized to 16 kHz mono at the target level, synced and audited', async () => {
    const { app } = context();
    const org = await makeOrg(context().database);
    const before = (await call(app, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot;
    expect(before.announcements).toEqual({ inbound: null, outbound: null });

    // Quiet (−26 dBFS RMS) stereo at 44.1 kHz, as a phone's recorder might make it.
    const uploaded = await put(
      org,
      'inbound',
      toneWav({ seconds: 2, channels: 2, amplitude: 0.07 }),
      'audio/wav',
    );
    expect(uploaded.statusCode).toBe(200);
    const info = JSON.parse(uploaded.body) as { kind: string; version: string; durationMs: number };
    expect(info).toMatchObject({ kind: 'inbound', durationMs: 2000 });
    expect(info.version).toMatch(/^[0-9a-f]{16}$/);

    const audio = await getAudio(org, 'inbound');
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    const clip = readClip(audio);
    expect(clip).toMatchObject({ channels: 1, sampleRate: 16_000, bits: 16 });
    expect(clip.durationMs).toBeCloseTo(2000, -1);
    expect(clip.levelDbfs).toBeGreaterThan(TARGET_LEVEL_DBFS - 0.5);
    expect(clip.levelDbfs).toBeLessThan(TARGET_LEVEL_DBFS + 0.5);

    // The apps learn the version from the snapshot and the change feed; the audit says who and what.
    const after = (await call(app, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot;
    expect(after.announcements.inbound).toMatchObject({ version: info.version, durationMs: 2000 });
    expect(after.announcements.outbound).toBeNull();
    const changes = (await call(app, 'GET', `/v1/sync/changes?since=${before.revision}`, org.tokens.agent))
      .body as { changes: Change[] };
    expect(changes.changes).toEqual([
      expect.objectContaining({
        type: 'announcement_updated',
        kind: 'inbound',
        announcement: expect.objectContaining({ version: info.version }),
      }),
    ]);
    const audit = (await call(app, 'GET', '/v1/audit', org.tokens.lead)).body as { items: AuditListEntry[] };
    expect(audit.items[0]).toMatchObject({
      action: 'announcement.replaced',
      target: 'inbound',
      actor: { id: org.userIds.admin },
      before: { builtIn: true },
      after: { version: info.version, format: 'wav', levelDbfs: TARGET_LEVEL_DBFS },
    });
    // The same version again is answered from the cache.
    const cached = await getAudio(org, 'inbound', 'agent', { 'if-none-match': `"${info.version}"` });
    expect(cached.statusCode).toBe(304);
  });

  it('§12.5 a lead uploads MP3 and Ogg Vorbis; the duration survives decoding', async () => {
    const org = await makeOrg(context().database);
    const mp3 = await put(org, 'outbound', fixture('tone-2.5s.mp3'), 'audio/mpeg', 'lead');
    expect(mp3.statusCode).toBe(200);
    // An MP3 decoder may add up to a frame of padding (26 ms at 44.1 kHz).
    expect(Math.abs((JSON.parse(mp3.body) as { durationMs: number }).durationMs - 2500)).toBeLessThan(60);
    const ogg = await put(org, 'inbound', fixture('tone-3s.ogg'), 'audio/ogg; codecs=vorbis', 'lead');
    expect(ogg.statusCode).toBe(200);
    expect(Math.abs((JSON.parse(ogg.body) as { durationMs: number }).durationMs - 3000)).toBeLessThan(30);
    for (const kind of ['inbound', 'outbound']) {
      const clip = readClip(await getAudio(org, kind));
      expect(clip.sampleRate).toBe(16_000);
      expect(Math.abs(clip.levelDbfs - TARGET_LEVEL_DBFS)).toBeLessThan(0.5);
    }
  });

  it('§12.5 Ogg Opus decodes: 16 kHz WAV with its length, pitch and the target level', async () => {
    const { app } = context();
    const org = await makeOrg(context().database);
    // 48 kHz mono at 0.5 of full scale, sent as a browser labels it.
    const loud = await put(org, 'inbound', fixture('tone-3s-1khz.opus'), 'audio/ogg; codecs=opus', 'lead');
    expect(loud.statusCode, loud.body).toBe(200);
    expect(JSON.parse(loud.body)).toMatchObject({ kind: 'inbound', durationMs: 3000 });
    // Quiet 44.1 kHz stereo, sent as some systems label a .opus file.
    const quiet = await put(org, 'outbound', fixture('tone-2s-stereo.opus'), 'audio/opus');
    expect(quiet.statusCode, quiet.body).toBe(200);
    expect(JSON.parse(quiet.body)).toMatchObject({ kind: 'outbound', durationMs: 2000 });

    for (const [kind, seconds, hz] of [
      ['inbound', 3, 1000],
      ['outbound', 2, 440],
    ] as const) {
      const audio = await getAudio(org, kind);
      expect(audio.statusCode).toBe(200);
      expect(audio.headers['content-type']).toBe('audio/wav');
      const clip = readClip(audio);
      expect(clip).toMatchObject({ channels: 1, sampleRate: 16_000, bits: 16 });
      expect(clip.samples.length).toBe(seconds * 16_000);
      expect(frequencyHz(clip.samples, clip.sampleRate)).toBeCloseTo(hz, 0);
      expect(Math.abs(clip.levelDbfs - TARGET_LEVEL_DBFS)).toBeLessThan(0.5);
    }
    const audit = (await call(app, 'GET', '/v1/audit', org.tokens.lead)).body as { items: AuditListEntry[] };
    const replaced = audit.items.filter((entry) => entry.action === 'announcement.replaced');
    // Both at the test clock's one instant: in either order.
    expect(replaced).toHaveLength(2);
    expect(replaced.map((entry) => entry.after)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ format: 'ogg', codec: 'opus', durationMs: 2000 }),
        expect.objectContaining({ format: 'ogg', codec: 'opus', durationMs: 3000 }),
      ]),
    );
  });

  it('§12.5 Ogg refusals: Speex and FLAC named as unsupported, a cut Opus file damaged, a long one too long', async () => {
    const org = await makeOrg(context().database);
    const refused = async (body: Buffer, kind = 'inbound') => {
      const reply = envelopeOf(await put(org, kind, body, 'audio/ogg'));
      return [reply.status, errorCode(reply), reply.body] as const;
    };
    type Envelope = { error: { message: string; details?: Record<string, unknown> } };
    for (const [file, codec, name] of [
      ['tone-1s.spx', 'speex', 'Speex'],
      ['tone-0.5s.oga', 'flac', 'FLAC'],
    ] as const) {
      const [status, code, body] = await refused(fixture(file));
      expect([status, code]).toEqual([400, 'invalid_audio']);
      expect((body as Envelope).error).toEqual({
        code: 'invalid_audio',
        message: `the Ogg file holds ${name} audio, which is not supported: send Ogg Opus, Ogg Vorbis, MP3 or WAV`,
        details: { reason: 'unsupported_codec', codec },
      });
    }
    const opus = fixture('tone-3s-1khz.opus');
    const [cutStatus, cutCode, cut] = await refused(opus.subarray(0, opus.length >> 1));
    expect([cutStatus, cutCode]).toEqual([400, 'invalid_audio']);
    expect((cut as Envelope).error.message).toMatch(/^the Ogg file is damaged: .*cut short/);
    expect((cut as Envelope).error.details).toEqual({ reason: 'undecodable', codec: 'opus' });

    const [longStatus, longCode, long] = await refused(fixture('tone-12s.opus'));
    expect([longStatus, longCode]).toEqual([400, 'audio_too_long']);
    expect((long as Envelope).error.details).toMatchObject({ max: 10_000 });
    expect((long as Envelope).error.message).toContain('this one is 12.0 s');
    // Nothing refused was stored; the outbound one may be 12 s.
    expect((await getAudio(org, 'inbound')).statusCode).toBe(404);
    const outbound = await put(org, 'outbound', fixture('tone-12s.opus'), 'audio/ogg');
    expect([outbound.statusCode, JSON.parse(outbound.body)]).toEqual([
      200,
      expect.objectContaining({ durationMs: 12_000 }),
    ]);
  });

  it('§12.5 agents may listen but not replace, whatever whoCanManage says; orgs are isolated', async () => {
    const { app } = context();
    const org = await makeOrg(context().database);
    const other = await makeOrg(context().database);
    await call(app, 'PATCH', '/v1/settings', org.tokens.admin, { whoCanManage: 'everyone' });
    const refused = await put(org, 'inbound', toneWav({ seconds: 1 }), 'audio/wav', 'agent');
    expect([refused.statusCode, errorCode(envelopeOf(refused))]).toEqual([403, 'forbidden']);
    const revert = await call(app, 'DELETE', '/v1/announcements/inbound', org.tokens.agent);
    expect(revert.status).toBe(403);
    expect((await put(org, 'inbound', toneWav({ seconds: 1 }), 'audio/wav')).statusCode).toBe(200);
    expect((await getAudio(org, 'inbound', 'agent')).statusCode).toBe(200);
    // Another org still has the built-in one and cannot read this one.
    const foreign = await getAudio(other, 'inbound');
    expect([foreign.statusCode, errorCode(envelopeOf(foreign))]).toEqual([404, 'not_found']);
  });

  it('§12.5 refuses with clear codes: wrong type 415, over 5 MB 413, too long, undecodable, silent 400', async () => {
    const { app } = context();
    const org = await makeOrg(context().database);
    const expectError = (response: { statusCode: number; body: string }, status: number, code: string) => {
      const reply = envelopeOf(response);
      expect([reply.status, errorCode(reply)], reply.text).toEqual([status, code]);
      return reply.body as { error: { message: string; details?: Record<string, unknown> } };
    };
    const tone = toneWav({ seconds: 1 });
    expect(
      expectError(await put(org, 'inbound', tone, 'text/plain'), 415, 'unsupported_media_type').error.message,
    ).toContain('audio/wav');
    expectError(
      await put(org, 'inbound', Buffer.from('{"a":1}'), 'application/json'),
      415,
      'unsupported_media_type',
    );
    expectError(
      await put(org, 'inbound', Buffer.alloc(5 * 1024 * 1024 + 1), 'audio/wav'),
      413,
      'payload_too_large',
    );
    const long = expectError(
      await put(org, 'inbound', toneWav({ seconds: 12, sampleRate: 16_000 }), 'audio/wav'),
      400,
      'audio_too_long',
    );
    expect(long.error.details).toEqual({ max: 10_000, got: 12_000 });
    expect(long.error.message).toContain('10 s');
    // The outbound one may be 30 s.
    expect(
      (await put(org, 'outbound', toneWav({ seconds: 12, sampleRate: 16_000 }), 'audio/wav')).statusCode,
    ).toBe(200);
    const tooLongMp3 = Buffer.concat(Array(5).fill(fixture('tone-2.5s.mp3')) as Buffer[]);
    expectError(await put(org, 'inbound', tooLongMp3, 'audio/mpeg'), 400, 'audio_too_long');
    const garbage = expectError(
      await put(org, 'inbound', Buffer.alloc(4000, 7), 'audio/mpeg'),
      400,
      'invalid_audio',
    );
    expect(garbage.error.message).toContain('MP3');
    expectError(await put(org, 'inbound', Buffer.alloc(4000, 7), 'audio/wav'), 400, 'invalid_audio');
    expectError(await put(org, 'inbound', fixture('tone-2.5s.mp3'), 'audio/ogg'), 400, 'invalid_audio');
    const silent = expectError(
      await put(org, 'inbound', toneWav({ seconds: 1, amplitude: 0 }), 'audio/wav'),
      400,
      'invalid_audio',
    );
    expect(silent.error.details).toEqual({ reason: 'silent' });
    expectError(await put(org, 'inbound', Buffer.alloc(0), 'audio/wav'), 400, 'invalid_audio');
    expectError(await put(org, 'sideways', tone, 'audio/wav'), 400, 'validation_failed');
    // Nothing refused was stored; the larger body limit is this route's alone.
    expect((await getAudio(org, 'inbound')).statusCode).toBe(404);
    const bigJson = await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
      number: '+12125550199',
      reason: 'x'.repeat(2 * 1024 * 1024),
    });
    expect([bigJson.status, errorCode(bigJson)]).toEqual([413, 'payload_too_large']);
  });

  it('§12.5 DELETE goes back to the built-in announcement once, synced and audited', async () => {
    const { app } = context();
    const org = await makeOrg(context().database);
    expect((await put(org, 'outbound', toneWav({ seconds: 1.5 }), 'audio/wav', 'lead')).statusCode).toBe(200);
    const start = ((await call(app, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot).revision;
    const reverted = await call(app, 'DELETE', '/v1/announcements/outbound', org.tokens.lead);
    expect(reverted.status).toBe(204);
    expect((await getAudio(org, 'outbound')).statusCode).toBe(404);
    const again = await call(app, 'DELETE', '/v1/announcements/outbound', org.tokens.admin);
    expect(again.status).toBe(204);
    const changes = (await call(app, 'GET', `/v1/sync/changes?since=${start}`, org.tokens.agent)).body as {
      changes: Change[];
    };
    expect(changes.changes).toEqual([
      expect.objectContaining({ type: 'announcement_updated', kind: 'outbound', announcement: null }),
    ]);
    const snapshot = (await call(app, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot;
    expect(snapshot.announcements.outbound).toBeNull();
    const audit = (await call(app, 'GET', '/v1/audit', org.tokens.lead)).body as { items: AuditListEntry[] };
    expect(audit.items.filter((entry) => entry.action === 'announcement.reverted')).toHaveLength(1);
  });
}
