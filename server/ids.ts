import { createHash, randomBytes } from 'node:crypto';

/**
 * A short random id (64 bits, base64url): compact in snapshots of 100,000 rules, unique in practice. It
 * never starts with `-` or `_`: ids are typed after `--org`, `--user` and `--id` in the admin CLI, where an
 * argument starting with a dash reads as an option (1 id in 32 did).
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(8).toString('base64url');
    if (id[0] !== '-' && id[0] !== '_') return id;
  }
}

/**
 * Ids for rows one write inserts together (audit entries): the write's time, then the row's place in the
 * write, then 48 random bits so two processes writing in the same millisecond never collide. They sort by
 * time and then by order of insertion, so 500 entries of one bulk add land side by side at the end of the
 * index instead of on 500 random pages — random ids made every chunk of an import rewrite the whole
 * index. The ordered part is lowercase base-36, which sorts the same under every collation.
 */
export function orderedIds(nowMs: number): () => string {
  const time = Math.max(0, Math.trunc(nowMs)).toString(36).padStart(9, '0');
  const unique = randomBytes(6).toString('base64url');
  let sequence = 0;
  return () => {
    const id = `${time}${sequence.toString(36).padStart(4, '0')}${unique}`;
    sequence += 1;
    return id;
  };
}

/** A personal bearer token: 256 random bits with a recognizable prefix. */
export function newToken(): string {
  return `bl_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
