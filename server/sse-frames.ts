/**
 * The bytes of Server-Sent Events frames, built once and written as they are to every stream: 10,000
 * clients of one org get the same Buffer (already framed as an HTTP/1.1 chunk) instead of 10,000
 * stringify, encode and chunk-frame passes, and a slow client's queue holds a reference, not a copy.
 *
 * The stream is not compressed. Frames are a few hundred bytes that deflate saves little on, while a
 * compressed stream needs a deflate context per client (its history is per connection, so the bytes
 * could not be shared) costing CPU per client per change and ~250 KB of memory each; the large
 * responses (snapshot, changes) are compressed.
 */
import { SSE_EVENT_CHANGE, SSE_EVENT_HEARTBEAT, type Change } from '../shared/contracts/api';

/** The SSE frame of one change: `id: <revision>`, `event: change`, `data: <Change>`. */
export function changeFrame(change: Change): string {
  return `id: ${change.revision}\nevent: ${SSE_EVENT_CHANGE}\ndata: ${JSON.stringify(change)}\n\n`;
}

export function heartbeatFrame(revision: number): string {
  return `event: ${SSE_EVENT_HEARTBEAT}\ndata: {"revision":${revision}}\n\n`;
}

/** SSE text as the bytes of the wire: bare (HTTP/1.0, connection-delimited) and as one chunk. */
export class SharedFrames {
  readonly bytes: Buffer;
  private chunk: Buffer | null = null;

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'utf8');
  }

  /** `<size in hex>\r\n<bytes>\r\n`: what Node's ServerResponse would write, made once. */
  get chunked(): Buffer {
    this.chunk ??= Buffer.concat([
      Buffer.from(`${this.bytes.length.toString(16)}\r\n`, 'latin1'),
      this.bytes,
      Buffer.from('\r\n', 'latin1'),
    ]);
    return this.chunk;
  }
}

/** Consecutive changes and their frames in one piece (one write per stream for a burst of commits). */
export class ChangeBatch {
  readonly first: number;
  readonly last: number;
  readonly frames: SharedFrames;

  constructor(readonly changes: readonly Change[]) {
    this.first = changes[0]?.revision ?? 0;
    this.last = changes[changes.length - 1]?.revision ?? 0;
    this.frames = new SharedFrames(changes.map(changeFrame).join(''));
  }
}

/** A burst of commits goes out in pieces of about this many changes (one write per stream each). */
const BATCH_CHANGES = 100;

/** Consecutive changes in batches of at most `size`. */
export function batchesOf(changes: readonly Change[], size = BATCH_CHANGES): ChangeBatch[] {
  const batches: ChangeBatch[] = [];
  let run: Change[] = [];
  for (const change of changes) {
    const previous = run[run.length - 1];
    if (run.length >= size || (previous !== undefined && change.revision !== previous.revision + 1)) {
      batches.push(new ChangeBatch(run));
      run = [];
    }
    run.push(change);
  }
  if (run.length > 0) batches.push(new ChangeBatch(run));
  return batches;
}
