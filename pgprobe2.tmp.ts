import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { startPostgres } from './test/helpers/postgres';
import { openDatabase } from './server/db/database';
import { standaloneStore, createOrg } from './server/admin-ops';
import { ruleToRow } from './server/store';
import { snapshot } from './server/org-service';
const cluster = await startPostgres();
const db = await openDatabase(await cluster.createDatabase('probe'));
const store = standaloneStore(db);
const { id } = await createOrg(store, { name: 'x', country: 'US', timeZone: 'America/New_York' });
const at = new Date().toISOString();
for (let s = 0; s < 100000; s += 1000) {
  await db.kysely.insertInto('rules').values(Array.from({ length: 1000 }, (_, i) => ruleToRow(id, { id: `r${(s + i).toString(36)}`, kind: 'block', number: `+1212${String(2000000 + s + i)}`, scope: 'all', reason: 'Robocall', expiresAt: null, source: 'manual', createdBy: 'Lee', createdAt: at, updatedAt: at, hitCount: 0, lastHitAt: null }))).execute();
}
for (let k = 0; k < 2; k++) {
  let t = performance.now();
  const snap = await snapshot(store, id);
  console.log('snapshot read ms', performance.now() - t);
  t = performance.now();
  const json = JSON.stringify(snap);
  console.log('stringify ms', performance.now() - t, json.length);
  t = performance.now();
  const br = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
  console.log('br4 ms', performance.now() - t, br.length);
  t = performance.now();
  const gz = gzipSync(json, { level: 6 });
  console.log('gzip6 ms', performance.now() - t, gz.length);
}
await db.close(); await cluster.stop();
