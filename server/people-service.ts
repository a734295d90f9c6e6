/**
 * Users and their tokens (SPEC §11.3, §12.4): disable and enable a user, list a user's tokens (never the
 * secret), revoke one token by its id or all of a user's. Every change is audited and advances the org's
 * access revision, which each instance watches to close the event streams the change ends
 * (plugins/background-jobs.ts). Used by the admin CLI and, later, by the People routes.
 */
import type { Role, TokenSummary, UserSummary } from '../shared/contracts/api';
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

export type TokenSelector = { id: string } | { userId: string } | { hash: string };

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
