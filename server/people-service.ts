/**
 * Users and their tokens (SPEC §11.3, §12.4): disable and enable a user, list a user's tokens (never the
 * secret), revoke one token by its id or all of a user's. Every change is audited and advances the org's
 * access revision, which each instance watches to close the event streams the change ends
 * (plugins/background-jobs.ts). Used by the admin CLI and by the People routes (routes/people.ts).
 */
import type { Role, TokenSummary, UserSummary } from '../shared/contracts/api';
import type { Device, Person, UserPatch } from '../shared/contracts/oversight';
import { ApiError, notFound } from './errors';
import type { Actor, OrgWrite, Repository } from './repository';

async function userRow(store: Repository, userId: string) {
  return store.db
    .selectFrom('users')
    .select(['id', 'org_id', 'name', 'role', 'disabled', 'created_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

function userSummary(row: NonNullable<Awaited<ReturnType<typeof userRow>>>): UserSummary {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    disabled: Number(row.disabled) === 1,
    createdAt: row.created_at,
  };
}

/** Inside the org's write: the next revision check of every instance sees the access change. */
async function advanceAccessRevision(write: OrgWrite): Promise<void> {
  await write.tx
    .updateTable('orgs')
    .set((eb) => ({ access_revision: eb('access_revision', '+', 1) }))
    .where('id', '=', write.org.id)
    .execute();
}

export async function listUsers(store: Repository, orgId: string): Promise<UserSummary[]> {
  const rows = await store.db
    .selectFrom('users')
    .select(['id', 'org_id', 'name', 'role', 'disabled', 'created_at'])
    .where('org_id', '=', orgId)
    .orderBy('name')
    .execute();
  return rows.map(userSummary);
}

/** The user, or null when there is none with this id (in `orgId`, when given). */
export async function findUser(
  store: Repository,
  userId: string,
  orgId?: string,
): Promise<UserSummary | null> {
  const row = await userRow(store, userId);
  return row === undefined || (orgId !== undefined && row.org_id !== orgId) ? null : userSummary(row);
}

/** Disables or enables a user; null when there is no such user. */
export async function setUserDisabled(
  store: Repository,
  userId: string,
  disabled: boolean,
  actor: Actor | null = null,
): Promise<UserSummary | null> {
  const row = await userRow(store, userId);
  if (row === undefined) return null;
  const before = userSummary(row);
  if (before.disabled === disabled) return before;
  return store.writeOrg(row.org_id, async (write) => {
    await write.tx
      .updateTable('users')
      .set({ disabled: disabled ? 1 : 0 })
      .where('id', '=', userId)
      .execute();
    await advanceAccessRevision(write);
    const after = { ...before, disabled };
    write.audit(actor, disabled ? 'user.disabled' : 'user.enabled', userId, before, after);
    return after;
  });
}

export async function listTokens(store: Repository, userId: string): Promise<TokenSummary[]> {
  const rows = await store.db
    .selectFrom('tokens')
    .select(['id', 'created_at', 'last_used_at', 'device_name', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    deviceName: row.device_name,
    revokedAt: row.revoked_at,
  }));
}

/** Which tokens; `orgId`, when given, keeps the selection inside one org (the People routes). */
export type TokenSelector = ({ id: string } | { userId: string } | { hash: string }) & { orgId?: string };

/** Revokes the selected tokens that are still valid; how many that was. */
export async function revokeTokens(
  store: Repository,
  selector: TokenSelector,
  actor: Actor | null = null,
): Promise<{ revoked: number }> {
  let query = store.db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select(['tokens.id as id', 'tokens.user_id as user_id', 'users.org_id as org_id'])
    .where('tokens.revoked_at', 'is', null);
  if ('id' in selector) query = query.where('tokens.id', '=', selector.id);
  else if ('userId' in selector) query = query.where('tokens.user_id', '=', selector.userId);
  else query = query.where('tokens.hash', '=', selector.hash);
  if (selector.orgId !== undefined) query = query.where('users.org_id', '=', selector.orgId);
  const tokens = await query.execute();
  const orgId = tokens[0]?.org_id;
  if (orgId === undefined) return { revoked: 0 };
  return store.writeOrg(orgId, async (write) => {
    const result = await write.tx
      .updateTable('tokens')
      .set({ revoked_at: write.nowIso })
      .where(
        'id',
        'in',
        tokens.map((token) => token.id),
      )
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await advanceAccessRevision(write);
    for (const token of tokens)
      write.audit(actor, 'token.revoked', token.user_id, { tokenId: token.id }, null);
    return { revoked: Number(result.numUpdatedRows) };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The People routes (SPEC §12.4): the same operations, scoped to the admin's org.

/** Everyone in the org with their devices (tokens still valid) and when one was last used. */
export async function listPeople(store: Repository, orgId: string): Promise<Person[]> {
  const users = await listUsers(store, orgId);
  const tokens = await store.db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select(['tokens.user_id as user_id', 'tokens.last_used_at as last_used_at'])
    .where('users.org_id', '=', orgId)
    .where('tokens.revoked_at', 'is', null)
    .execute();
  const devices = new Map<string, { count: number; lastUsedAt: string | null }>();
  for (const token of tokens) {
    const known = devices.get(token.user_id) ?? { count: 0, lastUsedAt: null };
    known.count += 1;
    if (token.last_used_at !== null && (known.lastUsedAt === null || token.last_used_at > known.lastUsedAt))
      known.lastUsedAt = token.last_used_at;
    devices.set(token.user_id, known);
  }
  return users.map((user) => ({
    ...user,
    devices: devices.get(user.id)?.count ?? 0,
    lastUsedAt: devices.get(user.id)?.lastUsedAt ?? null,
  }));
}

async function personIn(store: Repository, orgId: string, userId: string): Promise<Person> {
  const person = (await listPeople(store, orgId)).find((candidate) => candidate.id === userId);
  if (person === undefined) throw notFound('the user');
  return person;
}

/**
 * Changes a person's role or disables/enables them. The org's last active admin may be neither demoted
 * nor disabled (checked inside the org's write, so two admins demoting each other cannot both succeed).
 */
export async function updatePerson(
  store: Repository,
  orgId: string,
  userId: string,
  patch: UserPatch,
  actor: Actor,
): Promise<Person> {
  await personIn(store, orgId, userId);
  await store.writeOrg(orgId, async (write) => {
    const row = await write.tx
      .selectFrom('users')
      .select(['id', 'org_id', 'name', 'role', 'disabled', 'created_at'])
      .where('id', '=', userId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (row === undefined) throw notFound('the user');
    const before = userSummary(row);
    const after: UserSummary = {
      ...before,
      role: patch.role ?? before.role,
      disabled: patch.disabled ?? before.disabled,
    };
    const losesAdmin =
      before.role === 'admin' && !before.disabled && (after.role !== 'admin' || after.disabled);
    if (losesAdmin) {
      const others = await write.tx
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('role', '=', 'admin')
        .where('disabled', '=', 0)
        .where('id', '!=', userId)
        .limit(1)
        .executeTakeFirst();
      if (others === undefined) {
        throw new ApiError(
          409,
          'last_admin',
          `${before.name} is the org's only active admin: make someone else an admin first`,
        );
      }
    }
    if (after.role !== before.role) {
      await write.tx.updateTable('users').set({ role: after.role }).where('id', '=', userId).execute();
      write.audit(actor, 'user.role_changed', userId, before, { ...before, role: after.role });
    }
    if (after.disabled !== before.disabled) {
      await write.tx
        .updateTable('users')
        .set({ disabled: after.disabled ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
      // Every instance closes the disabled user's open streams at its next access check.
      await advanceAccessRevision(write);
      write.audit(
        actor,
        after.disabled ? 'user.disabled' : 'user.enabled',
        userId,
        { ...after, disabled: before.disabled },
        after,
      );
    }
  });
  return personIn(store, orgId, userId);
}

/** A person's devices: their tokens still valid, never the secret. */
export async function listDevices(store: Repository, orgId: string, userId: string): Promise<Device[]> {
  await personIn(store, orgId, userId);
  return (await listTokens(store, userId))
    .filter((token) => token.revokedAt === null)
    .map(({ id, deviceName, createdAt, lastUsedAt }) => ({ id, deviceName, createdAt, lastUsedAt }));
}

/** Revokes one device of the org by its token id; 404 when the org has no such valid token. */
export async function revokeDevice(
  store: Repository,
  orgId: string,
  tokenId: string,
  actor: Actor,
): Promise<void> {
  const { revoked } = await revokeTokens(store, { id: tokenId, orgId }, actor);
  if (revoked === 0) throw notFound('the device');
}

/** Revokes every device of a person of the org. */
export async function revokeAllDevices(
  store: Repository,
  orgId: string,
  userId: string,
  actor: Actor,
): Promise<{ revoked: number }> {
  await personIn(store, orgId, userId);
  return revokeTokens(store, { userId, orgId }, actor);
}
