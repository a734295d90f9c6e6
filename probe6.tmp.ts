import { startPostgres } from './test/helpers/postgres';
import { openDatabase } from './server/db/database';
import { standaloneStore, createOrg } from './server/admin-ops';
import { ruleToRow } from './server/store';
import { snapshotJson } from './server/org-service';
const cluster = await startPostgres();
const db = await openDatabase(await cluster.createDatabase('probe'));
const store = standaloneStore(db);
const { id } = await createOrg(store, { name: 'x', country: 'US', timeZone: 'America/New_York' });
const at = new Date().toISOString();
for (let s = 0; s < 100000; s += 1000) {
  await db.kysely.insertInto('rules').values(Array.from({ length: 1000 }, (_, i) => ruleToRow(id, { id: `${(s + i).toString(36)}.0`, kind: 'block', number: `+1212${String(2000000 + s + i)}`, scope: 'all', reason: 'Robocall', expiresAt: null, source: 'manual', createdBy: 'Lee', createdAt: at, updatedAt: at, hitCount: 0, lastHitAt: null }))).execute();
}
for (let k = 0; k < 3; k++) { const t = performance.now(); const j = await snapshotJson(store, id); console.log('snapshotJson ms', Math.round(performance.now() - t), j.length); if (k === 0) console.log(j.slice(j.indexOf('"rules"'), j.indexOf('"rules"') + 200)); }
let t = performance.now();
await db.kysely.selectFrom('rules').selectAll().where('org_id', '=', id).execute();
console.log('selectAll ms', Math.round(performance.now() - t));
await db.close(); await cluster.stop();
