/** Shared fixtures for the org-server tests: orgs with users per role, requests, an SSE reader. */
import type { FastifyInstance } from 'fastify';
import { addLine, createOrg, createToken, createUser, standaloneStore } from '../../server/admin-ops';
import type { Database } from '../../server/db/database';
import type { Change, Role } from '../../shared/contracts/api';

export interface TestOrg {
  id: string;
  tokens: Record<Role, string>;
  userIds: Record<Role, string>;
  lines: [string, string];
}

let orgCounter = 0;

/** A fresh org with one user and token per role and two lines. */
export async function makeOrg(
  database: Database,
  country = 'US',
  timeZone = 'America/New_York',
): Promise<TestOrg> {
  const store = standaloneStore(database);
  orgCounter += 1;
  const { id } = await createOrg(store, { name: `Org ${orgCounter}`, country, timeZone });
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  for (const role of ['admin', 'lead', 'agent'] as const) {
    const user = await createUser(store, { orgId: id, name: `${role} ${orgCounter}`, role });
    userIds[role] = user.id;
    tokens[role] = (await createToken(store, user.id)).token;
  }
  const lines: [string, string] = ['+12125550100', '+12125550101'];
  await addLine(store, { orgId: id, number: lines[0], label: 'Sales' });
  await addLine(store, { orgId: id, number: lines[1], label: 'Support' });
  return { id, tokens, userIds, lines };
}

export interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await app.inject({
    method,
    url,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
  });
  let parsed: unknown = null;
  try {
    parsed = response.body === '' ? null : JSON.parse(response.body);
  } catch {
    parsed = null;
  }
  return { status: response.statusCode, body: parsed, text: response.body, headers: response.headers };
}

/** The error envelope's code, or null when the body is not an envelope. */
export function errorCode(reply: Reply): string | null {
  const body = reply.body as { error?: { code?: unknown; message?: unknown } } | null;
  return typeof body?.error?.code === 'string' && typeof body.error.message === 'string'
    ? body.error.code
    : null;
}

export interface EventStream {
  changes: Change[];
  ids: number[];
  heartbeats: number;
  waitFor(predicate: (changes: Change[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
}

/** Opens GET /v1/events with fetch and parses the SSE frames as they arrive. */
export async function openEvents(
  baseUrl: string,
  token: string,
  options: { lastEventId?: number; since?: number } = {},
): Promise<EventStream> {
  const controller = new AbortController();
  const query = new URLSearchParams();
  if (options.since !== undefined) query.set('since', String(options.since));
  const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(`${baseUrl}/v1/events?${query.toString()}`, {
    headers,
    signal: controller.signal,
  });
  if (response.status !== 200 || response.body === null) {
    throw new Error(`events: HTTP ${response.status} ${await response.text()}`);
  }
  const stream: EventStream = {
    changes: [],
    ids: [],
    heartbeats: 0,
    close: () => controller.abort(),
    waitFor: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          if (predicate(stream.changes)) resolve();
          else if (Date.now() - started > timeoutMs) {
            reject(new Error(`timed out; got revisions ${stream.ids.join(',')}`));
          } else setTimeout(check, 10);
        };
        check();
      }),
    ended: Promise.resolve(),
  };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let boundary = buffer.indexOf('\n\n');
        while (boundary !== -1) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          boundary = buffer.indexOf('\n\n');
          const fields = new Map<string, string>();
          for (const line of frame.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (fields.get('event') === 'heartbeat') stream.heartbeats += 1;
          if (fields.get('event') === 'change') {
            stream.ids.push(Number(fields.get('id')));
            stream.changes.push(JSON.parse(fields.get('data') ?? 'null') as Change);
          }
        }
      }
    } catch {
      // Aborted by close(): the stream is over.
    }
  })();
  return stream;
}

/** Whether the server ends the stream within `ms`. */
export async function endsWithin(stream: EventStream, ms: number): Promise<boolean> {
  const settle = new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));
  return Promise.race([stream.ended.then(() => true as const), settle]);
}

export function listening(app: FastifyInstance): string {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}
