/**
 * The audit view's reads (SPEC §12.1): the org's audit log filtered by person, action, number and time,
 * newest first, with cursor paging.
 */
import type { AuditListEntry, AuditListQuery, AuditListResponse } from '../shared/contracts/oversight';
import { normalizeNumberOrPrefix } from '../shared/numbers';
import { unprocessable } from './errors';
import { decodeCursor, encodeCursor } from './org-service';
import { countryOf, type Repository } from './repository';
import type { OrgSettings } from '../shared/settings';

function parseJsonColumn(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export async function listAuditEntries(
  store: Repository,
  orgId: string,
  settings: OrgSettings,
  query: AuditListQuery,
): Promise<AuditListResponse> {
  let page = store.db.selectFrom('audit').selectAll().where('org_id', '=', orgId);
  if (query.person !== undefined) page = page.where('actor_id', '=', query.person);
  if (query.action !== undefined) {
    const action = query.action;
    page = action.includes('.')
      ? page.where('action', '=', action)
      : page.where('action', 'like', `${action}.%`);
  }
  if (query.number !== undefined) {
    const normalized = normalizeNumberOrPrefix(query.number, countryOf(settings));
    if (!normalized.ok) throw unprocessable(`${query.number} is not a number: ${normalized.message}`);
    const number = normalized.kind === 'number' ? normalized.e164 : normalized.prefix;
    // A line's own changes name the line as their target.
    page = page.where((eb) => eb.or([eb('number', '=', number), eb('target', '=', number)]));
  }
  if (query.from !== undefined) page = page.where('at', '>=', new Date(query.from).toISOString());
  if (query.to !== undefined) page = page.where('at', '<', new Date(query.to).toISOString());
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    const at = String(cursor.value);
    page = page.where((eb) =>
      eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', cursor.id)])]),
    );
  }
  const rows = await page
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map((row): AuditListEntry => ({
    id: row.id,
    at: row.at,
    actor: row.actor_id === null ? null : { id: row.actor_id, name: row.actor_name ?? '' },
    action: row.action,
    target: row.target,
    number: row.number,
    before: parseJsonColumn(row.before),
    after: parseJsonColumn(row.after),
  }));
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  const actors =
    query.cursor !== undefined
      ? []
      : await store.db
          .selectFrom('audit')
          .select(['actor_id', 'actor_name'])
          .distinct()
          .where('org_id', '=', orgId)
          .where('actor_id', 'is not', null)
          .execute();
  return {
    items,
    nextCursor: last === undefined ? null : encodeCursor({ value: last.at, id: last.id }),
    actors: actors
      .map((row) => ({ id: row.actor_id ?? '', name: row.actor_name ?? '' }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
