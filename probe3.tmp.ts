import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { openDatabase } from './server/db/database';
import { standaloneStore, createOrg } from './server/admin-ops';
import { ruleToRow } from './server/store';
import { snapshotJson } from './server/org-service';
import { buildServer } from './server/app';
import { makeOrg, call } from './test/helpers/server-harness';
const db = await openDatabase(join(mkdtempSync(join(tmpdir(), 'p3-')), 'x.sqlite'));
const store = standaloneStore(db);
const { id } = await createOrg(store, { name: 'x', country: 'US', timeZone: 'America/New_York' });
const at = new Date().toISOString();
for (let s = 0; s < 100000; s += 1000) {
  await db.kysely.insertInto('rules').values(Array.from({ length: 1000 }, (_, i) => ruleToRow(id, { id: `${(s + i).toString(36)}.0`, kind: 'block', number: `+1212${String(2000000 + s + i)}`, scope: 'all', reason: 'Robocall', expiresAt: null, source: 'manual', createdBy: 'Lee', createdAt: at, updatedAt: at, hitCount: 0, lastHitAt: null }))).execute();
}
for (let k = 0; k < 2; k++) {
  let t = performance.now();
  const json = await snapshotJson(store, id);
  console.log('snapshotJson ms', Math.round(performance.now() - t), json.length);
  t = performance.now();
  const br = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
  console.log('br4 ms', Math.round(performance.now() - t), br.length);
  t = performance.now();
  const gz = gzipSync(json, { level: 6 });
  console.log('gzip6 ms', Math.round(performance.now() - t), gz.length);
}
const app = await buildServer({ db, rateLimit: false, sweepIntervalMs: false });
const org = await makeOrg(db);
let t0 = performance.now();
for (let i = 0; i < 100; i++) await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, { number: `+1212300${String(1000 + i)}`, reason: 'x' });
console.log('seq write ms', (performance.now() - t0) / 100);
t0 = performance.now();
for (let i = 0; i < 100; i++) await call(app, 'GET', '/v1/me', org.tokens.lead);
console.log('me ms', (performance.now() - t0) / 100);
await app.close(); await db.close();
