/** Org, user, token and line administration: shared by the admin CLI, the demo seed and the tests. */
import type { Line, Role } from '../shared/contracts/api';
import { isSupportedCountryCode, normalizeNumber } from '../shared/numbers';
import { defaultOrgSettings, timeZoneSchema } from '../shared/settings';
import { unsafeTextProblem } from '../shared/text';
import { hashToken, newId, newToken } from './ids';
import type { Database } from './db/database';
import { revokeTokens } from './people-service';
import { DEFAULT_CHANGE_RETENTION, Repository } from './repository';

export class AdminError extends Error {}

/** SPEC §11.5 for what the CLI stores. */
function assertSafeText(text: string, what: string): void {
  const problem = unsafeTextProblem(text);
  if (problem !== null) throw new AdminError(`${what} ${problem}`);
}

/** A Repository for work outside the HTTP server (CLI, seeding): no push, the default log retention. */
export function standaloneStore(database: Database): Repository {
  return new Repository(database, {
    now: Date.now,
    changeRetention: DEFAULT_CHANGE_RETENTION,
    onCommitted: () => undefined,
  });
}

export async function createOrg(
  store: Repository,
  input: { name: string; country: string; timeZone: string; id?: string },
): Promise<{ id: string }> {
  const name = input.name.trim();
  if (name === '') throw new AdminError('the org needs a name');
  assertSafeText(name, 'the org name');
  const country = input.country.trim().toUpperCase();
  if (!isSupportedCountryCode(country))
    throw new AdminError(`${input.country} is not a country code such as US`);
  if (!timeZoneSchema.safeParse(input.timeZone).success) {
    throw new AdminError(`${input.timeZone} is not an IANA time zone such as America/New_York`);
  }
  const id = input.id ?? newId();
  await store.db
    .insertInto('orgs')
    .values({
      id,
      name,
      time_zone: input.timeZone,
      revision: 0,
      log_floor: 0,
      settings: JSON.stringify(defaultOrgSettings(country, input.timeZone)),
      created_at: new Date(store.now()).toISOString(),
    })
    .execute();
  return { id };
}

const ROLES: readonly Role[] = ['admin', 'lead', 'agent'];

export async function createUser(
  store: Repository,
  input: { orgId: string; name: string; role: string; id?: string },
): Promise<{ id: string }> {
  const role = ROLES.find((known) => known === input.role);
  if (role === undefined) throw new AdminError(`role must be one of ${ROLES.join(', ')}`);
  const name = input.name.trim();
  if (name === '') throw new AdminError('the user needs a name');
  assertSafeText(name, 'the user name');
  if ((await store.getOrg(input.orgId)) === null) throw new AdminError(`no org ${input.orgId}`);
  const id = input.id ?? newId();
  await store.db
    .insertInto('users')
    .values({ id, org_id: input.orgId, name, role, created_at: new Date(store.now()).toISOString() })
    .execute();
  return { id };
}

/** Issues a token for a user; only its hash is stored, so this is the one time it can be shown. */
export async function createToken(
  store: Repository,
  userId: string,
  token: string = newToken(),
  deviceName: string | null = null,
): Promise<{ token: string; id: string }> {
  const user = await store.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (user === undefined) throw new AdminError(`no user ${userId}`);
  if (deviceName !== null) assertSafeText(deviceName, 'the device name');
  const id = newId();
  await store.db
    .insertInto('tokens')
    .values({
      hash: hashToken(token),
      id,
      user_id: userId,
      created_at: new Date(store.now()).toISOString(),
      revoked_at: null,
      device_name: deviceName,
    })
    .execute();
  return { token, id };
}

/** Revokes a token by its secret (tests and the demo; the CLI revokes by id or by user). */
export async function revokeToken(store: Repository, token: string): Promise<{ revoked: boolean }> {
  return { revoked: (await revokeTokens(store, { hash: hashToken(token) })).revoked > 0 };
}

/** Adds a line (or relabels it); the change syncs to the apps as `lines_updated`. */
export async function addLine(
  store: Repository,
  input: { orgId: string; number: string; label: string },
): Promise<Line> {
  const org = await store.getOrg(input.orgId);
  if (org === null) throw new AdminError(`no org ${input.orgId}`);
  const country = isSupportedCountryCode(org.settings.defaultCountry) ? org.settings.defaultCountry : 'US';
  const normalized = normalizeNumber(input.number, country, { acceptUnassigned: true });
  if (!normalized.ok) throw new AdminError(normalized.message);
  const label = input.label.trim();
  if (label === '' || label.length > 100)
    throw new AdminError('the line needs a label of 1 to 100 characters');
  assertSafeText(label, 'the line label');
  return store.writeOrg(input.orgId, async (write) => {
    const lines = await store.listLines(input.orgId, write.tx);
    const existing = lines.find((line) => line.number === normalized.e164);
    const line: Line = {
      number: normalized.e164,
      label,
      announcementMode: existing?.announcementMode ?? 'early-media',
      pbxAutoAnswer: existing?.pbxAutoAnswer ?? false,
    };
    if (existing !== undefined && existing.label === label) return line;
    if (existing === undefined) {
      await write.tx
        .insertInto('lines')
        .values({
          org_id: input.orgId,
          number: line.number,
          label,
          announcement_mode: line.announcementMode,
          created_at: write.nowIso,
        })
        .execute();
    } else {
      await write.tx
        .updateTable('lines')
        .set({ label })
        .where('org_id', '=', input.orgId)
        .where('number', '=', line.number)
        .execute();
    }
    const updated =
      existing === undefined
        ? [...lines, line]
        : lines.map((known) => (known.number === line.number ? line : known));
    updated.sort((a, b) => a.number.localeCompare(b.number));
    write.addChange({ type: 'lines_updated', lines: updated });
    write.audit(
      null,
      existing === undefined ? 'line.added' : 'line.updated',
      line.number,
      existing ?? null,
      line,
    );
    return line;
  });
}
