import { describe, expect, it } from 'vitest';
import { newId, orderedIds } from '../../server/ids';

describe('ordered ids (audit rows)', () => {
  it('sort by time, then by order of insertion within one write, and never repeat', () => {
    const first = orderedIds(Date.parse('2026-12-01T10:00:00Z'));
    const later = orderedIds(Date.parse('2026-12-01T10:00:00.001Z'));
    const sameMs = orderedIds(Date.parse('2026-12-01T10:00:00Z'));
    const batch = Array.from({ length: 2000 }, () => first());
    expect([...batch].sort()).toEqual(batch);
    const next = later();
    expect(batch.every((id) => id < next)).toBe(true);
    // Another process writing in the same millisecond: different ids, all of them.
    const other = Array.from({ length: 2000 }, () => sameMs());
    expect(new Set([...batch, ...other]).size).toBe(4000);
    // Lowercase base-36 in the ordered part, so every collation sorts them alike.
    expect(batch[1999]?.slice(0, 13)).toMatch(/^[0-9a-z]{13}$/);
  });
});

describe('random ids (orgs, users, tokens, rules)', () => {
  it('never start with a dash or an underscore, so the admin CLI reads them as values', () => {
    // One base64url id in 32 started with one of them: 20,000 ids hold several hundred such draws.
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.filter((id) => /^[-_]/.test(id))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9][A-Za-z0-9_-]{10}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
