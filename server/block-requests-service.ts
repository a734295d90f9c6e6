/**
 * "Ask a lead to block" (SPEC §7.1b): any member may ask, only leads and admins list and resolve.
 * Approving makes the rule in the same transaction as the request's resolution (an org write, so the
 * rule syncs like any other); a number that is already blocked resolves the request with that rule.
 * Every step is in the audit log.
 */
import type { Selectable } from 'kysely';
import type {
  BlockRequest,
  BlockRequestResolution as Resolution,
  CreateBlockRequest,
} from '../shared/contracts/block-requests';
import { isEmergencyNumber } from '../shared/emergency';
import { normalizeNumber } from '../shared/numbers';
import type { Rule } from '../shared/rules';
import type { BlockRequestsTable } from './db/schema';
import { ApiError, notFound } from './errors';
import { newId } from './ids';
import { countryOf, type Actor, type OrgWrite, type Repository } from './repository';
import { createRuleInWrite } from './rules-service';

function requestFromRow(row: Selectable<BlockRequestsTable>): BlockRequest {
  return {
    id: row.id,
    number: row.number,
    reason: row.reason,
    requestedBy: { id: row.requested_by, name: row.requester_name },
    createdAt: row.created_at,
    status: row.status === 'approved' || row.status === 'dismissed' ? row.status : 'open',
    resolvedBy:
      row.resolved_by === null ? null : { id: row.resolved_by, name: row.resolver_name ?? row.resolved_by },
    resolvedAt: row.resolved_at,
    ruleId: row.rule_id,
  };
}

/** The number as the org stores numbers, or the API's 422 (an emergency number is never asked for). */
function numberToAsk(input: string, write: OrgWrite): string {
  const country = countryOf(write.org.settings);
  const emergency = new ApiError(
    422,
    'emergency_number',
    `${input} is an emergency number: it can never be blocked`,
  );
  if (isEmergencyNumber(input, country)) throw emergency;
  const normalized = normalizeNumber(input, country);
  if (!normalized.ok) {
    throw new ApiError(422, 'unprocessable', normalized.message, {
      issues: [{ path: ['number'], message: normalized.message }],
      reason: normalized.reason,
    });
  }
  if (isEmergencyNumber(normalized.e164, country)) throw emergency;
  return normalized.e164;
}

/** Files a request; an open one for the same number is returned instead of a second. */
export async function createBlockRequest(
  store: Repository,
  orgId: string,
  input: CreateBlockRequest,
  actor: Actor,
): Promise<{ request: BlockRequest; alreadyAsked: boolean }> {
  return store.writeOrg(orgId, async (write) => {
    const number = numberToAsk(input.number, write);
    const open = await write.tx
      .selectFrom('block_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('status', '=', 'open')
      .where('number', '=', number)
      .executeTakeFirst();
    if (open !== undefined) return { request: requestFromRow(open), alreadyAsked: true };
    const row: BlockRequestsTable = {
      org_id: orgId,
      id: newId(),
      number,
      reason: input.reason,
      requested_by: actor.id,
      requester_name: actor.name,
      created_at: write.nowIso,
      status: 'open',
      resolved_by: null,
      resolver_name: null,
      resolved_at: null,
      rule_id: null,
    };
    await write.tx.insertInto('block_requests').values(row).execute();
    const request = requestFromRow(row);
    write.audit(actor, 'block_request.created', request.id, null, request);
    return { request, alreadyAsked: false };
  });
}

/** Open requests, newest first. */
export async function listOpenBlockRequests(store: Repository, orgId: string): Promise<BlockRequest[]> {
  const rows = await store.db
    .selectFrom('block_requests')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'open')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map(requestFromRow);
}

export async function resolveBlockRequest(
  store: Repository,
  orgId: string,
  requestId: string,
  resolution: Resolution,
  actor: Actor,
): Promise<{ request: BlockRequest; rule: Rule | null }> {
  return store.writeOrg(orgId, async (write) => {
    const row = await write.tx
      .selectFrom('block_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .executeTakeFirst();
    if (row === undefined) throw notFound('the block request');
    const before = requestFromRow(row);
    if (before.status !== 'open') {
      throw new ApiError(
        409,
        'conflict',
        `this request was already ${before.status} by ${before.resolvedBy?.name ?? 'someone'}`,
      );
    }
    let rule: Rule | null = null;
    if (resolution.decision === 'approve') {
      rule = await approvedRule(store, write, before, resolution, actor);
    }
    const after: BlockRequest = {
      ...before,
      status: resolution.decision === 'approve' ? 'approved' : 'dismissed',
      resolvedBy: { id: actor.id, name: actor.name },
      resolvedAt: write.nowIso,
      ruleId: rule?.id ?? null,
    };
    await write.tx
      .updateTable('block_requests')
      .set({
        status: after.status,
        resolved_by: actor.id,
        resolver_name: actor.name,
        resolved_at: write.nowIso,
        rule_id: after.ruleId,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .execute();
    write.audit(actor, `block_request.${after.status}`, requestId, before, after);
    return { request: after, rule };
  });
}

/** The rule an approval makes, or the one that already blocks the number everywhere it was asked. */
async function approvedRule(
  store: Repository,
  write: OrgWrite,
  request: BlockRequest,
  resolution: Extract<Resolution, { decision: 'approve' }>,
  actor: Actor,
): Promise<Rule> {
  try {
    return await createRuleInWrite(
      store,
      write,
      {
        number: request.number,
        reason: resolution.reason ?? request.reason,
        kind: 'block',
        scope: resolution.scope,
        expiresAt: resolution.expiresAt,
        source: 'history',
      },
      actor,
    );
  } catch (error) {
    const existingId =
      error instanceof ApiError && error.code === 'already_blocked' ? error.details?.ruleId : undefined;
    const existing =
      existingId === undefined ? null : await store.findRule(write.org.id, existingId, write.tx);
    if (existing === null) throw error;
    return existing;
  }
}
