/**
 * Wrap-ups of answered calls (SPEC §10.11), stored by the call's report id. Only the user whose app
 * sent the report may write or read it, or the org's leads and admins (who review and correct them);
 * the disposition must be one of the org's list. Writing again replaces the earlier wrap-up.
 */
import type { WrapUp, WrapUpResponse } from '../shared/contracts/wrap-up';
import { ApiError, forbidden, notFound } from './errors';
import type { AuthenticatedUser, Repository } from './repository';

async function reportOwner(store: Repository, user: AuthenticatedUser, reportId: string): Promise<void> {
  const report = await store.db
    .selectFrom('call_reports')
    .select('user_id')
    .where('org_id', '=', user.orgId)
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (report === undefined) throw notFound('the call report');
  const lead = user.role === 'admin' || user.role === 'lead';
  if (report.user_id !== user.id && !lead)
    throw forbidden('only the agent who took the call, or a lead, may wrap it up or read its wrap-up');
}

export async function putWrapUp(
  store: Repository,
  user: AuthenticatedUser,
  reportId: string,
  wrapUp: WrapUp,
): Promise<WrapUpResponse> {
  await reportOwner(store, user, reportId);
  const known = user.orgSettings.wrapUpDispositions;
  if (!known.includes(wrapUp.disposition)) {
    throw new ApiError(422, 'unprocessable', 'the disposition is not one of the org’s list', {
      reason: 'unknown_disposition',
      issues: [{ path: ['disposition'], message: `must be one of: ${known.join(', ')}` }],
    });
  }
  const row = {
    disposition: wrapUp.disposition,
    note: wrapUp.note,
    updated_by_id: user.id,
    updated_by_name: user.name,
    updated_at: new Date(store.now()).toISOString(),
  };
  await store.db
    .insertInto('call_wrap_ups')
    .values({ org_id: user.orgId, report_id: reportId, ...row })
    .onConflict((conflict) => conflict.columns(['org_id', 'report_id']).doUpdateSet(row))
    .execute();
  return responseOf(reportId, row);
}

export async function getWrapUp(
  store: Repository,
  user: AuthenticatedUser,
  reportId: string,
): Promise<WrapUpResponse> {
  await reportOwner(store, user, reportId);
  const row = await store.db
    .selectFrom('call_wrap_ups')
    .selectAll()
    .where('org_id', '=', user.orgId)
    .where('report_id', '=', reportId)
    .executeTakeFirst();
  if (row === undefined) throw notFound('the wrap-up');
  return responseOf(reportId, row);
}

function responseOf(
  reportId: string,
  row: {
    disposition: string;
    note: string;
    updated_by_id: string;
    updated_by_name: string;
    updated_at: string;
  },
): WrapUpResponse {
  return {
    reportId,
    disposition: row.disposition,
    note: row.note,
    updatedBy: { id: row.updated_by_id, name: row.updated_by_name },
    updatedAt: row.updated_at,
  };
}
