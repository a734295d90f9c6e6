/**
 * The number an audit entry is about (SPEC §12.1: filter the audit by number). Today the entries that
 * concern a number carry a rule (before, after, or both); its `number` is the one.
 */
export function auditNumberOf(before: unknown, after: unknown): string | null {
  for (const side of [after, before]) {
    if (typeof side === 'object' && side !== null) {
      const number: unknown = Reflect.get(side, 'number');
      if (typeof number === 'string' && /^\+\d/.test(number)) return number;
    }
  }
  return null;
}
