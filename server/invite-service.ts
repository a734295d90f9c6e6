/**
 * Invites (SPEC §12.4): an admin invites a person (name, role); the one-time code, or the link that
 * carries it and the server's address, signs the new person in on their device and creates their
 * personal token — nobody copies tokens by hand. A code is valid for 7 days and once; only its hash is
 * stored. Every invite and redemption is in the audit log.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../shared/contracts/api';
import { INVITE_VALID_DAYS, type InviteCreated } from '../shared/contracts/oversight';
import { formatInviteCode, inviteCodeFrom, inviteLink, normalizeInviteCode } from '../shared/invite-link';
import { ApiError } from './errors';
import { hashToken, newId, newToken } from './ids';
import type { Actor, Repository } from './repository';

const INVITE_CODE_BYTES = 15;

export async function createInvite(
  store: Repository,
  orgId: string,
  input: { name: string; role: Role },
  actor: Actor | null,
  serverUrl: string,
): Promise<InviteCreated> {
  const code = inviteCodeFrom(randomBytes(INVITE_CODE_BYTES));
  return store.writeOrg(orgId, async (write) => {
    const id = newId();
    const expiresAt = new Date(write.nowMs + INVITE_VALID_DAYS * 86_400_000).toISOString();
    await write.tx
      .insertInto('invites')
      .values({
        id,
        org_id: orgId,
        code_hash: hashToken(code),
        name: input.name,
        role: input.role,
        created_by: actor?.id ?? null,
        created_at: write.nowIso,
        expires_at: expiresAt,
        redeemed_at: null,
        user_id: null,
      })
      .execute();
    write.audit(actor, 'user.invited', id, null, { name: input.name, role: input.role, expiresAt });
    return { code: formatInviteCode(code), url: inviteLink(serverUrl, code), expiresAt };
  });
}

const NOT_VALID = 'this invite code is not valid: check it, or ask your admin for a new invite';

/**
 * Redeems a code once: creates the invited user and a token for this device, in one transaction, so
 * two devices racing with one code get one account and one clear refusal.
 */
export async function redeemInvite(
  store: Repository,
  input: { code: string; deviceName: string },
): Promise<{ token: string; userId: string; tokenHash: string }> {
  const code = normalizeInviteCode(input.code);
  if (code === null) throw new ApiError(404, 'not_found', NOT_VALID);
  const invite = await store.db
    .selectFrom('invites')
    .select(['id', 'org_id'])
    .where('code_hash', '=', hashToken(code))
    .executeTakeFirst();
  if (invite === undefined) throw new ApiError(404, 'not_found', NOT_VALID);
  return store.writeOrg(invite.org_id, async (write) => {
    const row = await write.tx
      .selectFrom('invites')
      .selectAll()
      .where('id', '=', invite.id)
      .executeTakeFirst();
    if (row === undefined) throw new ApiError(404, 'not_found', NOT_VALID);
    if (row.redeemed_at !== null) {
      throw new ApiError(409, 'conflict', 'this invite has already been used: ask your admin for a new one');
    }
    if (row.expires_at <= write.nowIso) {
      throw new ApiError(422, 'unprocessable', 'this invite has expired: ask your admin for a new one', {
        reason: 'expired',
      });
    }
    const userId = newId();
    const taken = await write.tx
      .updateTable('invites')
      .set({ redeemed_at: write.nowIso, user_id: userId })
      .where('id', '=', row.id)
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      throw new ApiError(409, 'conflict', 'this invite has already been used: ask your admin for a new one');
    }
    await write.tx
      .insertInto('users')
      .values({ id: userId, org_id: row.org_id, name: row.name, role: row.role, created_at: write.nowIso })
      .execute();
    const token = newToken();
    const tokenHash = hashToken(token);
    const tokenId = newId();
    await write.tx
      .insertInto('tokens')
      .values({
        hash: tokenHash,
        id: tokenId,
        user_id: userId,
        created_at: write.nowIso,
        revoked_at: null,
        last_used_at: null,
        device_name: input.deviceName,
      })
      .execute();
    write.audit({ id: userId, name: row.name }, 'user.joined', userId, null, {
      name: row.name,
      role: row.role,
      deviceName: input.deviceName,
      tokenId,
      inviteId: row.id,
    });
    return { token, userId, tokenHash };
  });
}
