/** The SSE stream sends every revision once and in order, whether it comes from the log or live. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standaloneStore } from '../../server/admin-ops';
import { openDatabase, type Database } from '../../server/db/database';
import type { ChangeListener } from '../../server/hub';
import { createRule } from '../../server/rules-service';
import { SseStream, type SseOutput } from '../../server/sse';
import { ChangeBatch } from '../../server/sse-frames';
import type { Change } from '../../shared/contracts/api';
import { makeOrg } from '../helpers/server-harness';

const dir = mkdtempSync(join(tmpdir(), 'blockline-sse-'));
let database: Database;

beforeAll(async () => {
  database = await openDatabase(join(dir, 'sse.sqlite'));
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

function fakeResponse(): { response: SseOutput; ids: () => number[] } {
  const written: string[] = [];
  const response: SseOutput = {
    bufferedBytes: 0,
    write: (frames) => {
      written.push(frames.text);
    },
    end: () => undefined,
    onClose: () => undefined,
  };
  const ids = () =>
    written.flatMap((chunk) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1])));
  return { response, ids };
}

describe('SseStream', () => {
  it('sends a change that arrives both in the backlog and live once, and fills gaps from the log', async () => {
    const org = await makeOrg(database); // revisions 1 and 2: the two lines
    const store = standaloneStore(database);
    const actor = { id: org.userIds.lead, name: 'lead' };
    for (const number of ['+12125551001', '+12125551002'])
      await createRule(store, org.id, { number, reason: 'r', scope: 'all', kind: 'block' }, actor);
    const log = await store.changesBetween(org.id, 0);
    const listeners: ChangeListener[] = [];
    const { response, ids } = fakeResponse();
    const stream = new SseStream(response, store, { orgId: org.id, tokenId: 'token-1' }, 1, () => undefined);
    stream.start({ subscribe: (_org, listener) => (listeners.push(listener), () => undefined) });
    // Live deliveries of revisions the backlog read also returns.
    for (const change of log.slice(1)) listeners[0]?.(new ChangeBatch([change]));
    await createRule(
      store,
      org.id,
      { number: '+12125551003', reason: 'r', scope: 'all', kind: 'block' },
      actor,
    );
    await createRule(
      store,
      org.id,
      { number: '+12125551004', reason: 'r', scope: 'all', kind: 'block' },
      actor,
    );
    const latest = await store.changesBetween(org.id, 4);
    // Only revision 6 is pushed: 5 must come from the log.
    const six: Change | undefined = latest.find((change) => change.revision === 6);
    if (six !== undefined) listeners[0]?.(new ChangeBatch([six]));
    listeners[0]?.(new ChangeBatch([log[0] as Change]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ids()).toEqual([2, 3, 4, 5, 6]);
    stream.close();
  });
});
