/**
 * The call history on disk (SPEC §10.10): one JSON line per entry in `history.jsonl`, so a call
 * appends a line instead of rewriting 10,000 entries. A re-added id is a later line that replaces the
 * earlier one on load; the file is compacted (rewritten whole: temp file + rename) only when it holds
 * twice as many lines as the history keeps, and on clear. Every line is re-validated on load, so a torn
 * last line (a crash mid-append) costs that line only.
 */
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { historyEntrySchema, type HistoryEntry } from '../shared/contracts/ipc';

export const HISTORY_FILE = 'history.jsonl';

export interface HistoryLogOptions {
  dir: string;
  /** Entries kept (the oldest fall off). */
  maxEntries: number;
  log?: (message: string) => void;
}

export class HistoryLog {
  readonly file: string;
  private readonly maxEntries: number;
  /** Newest first. */
  private entries: HistoryEntry[];
  private readonly ids = new Set<string>();
  /** Lines in the file (live and superseded): compaction is due at twice `maxEntries`. */
  private lines: number;

  constructor(options: HistoryLogOptions) {
    this.file = path.join(options.dir, HISTORY_FILE);
    this.maxEntries = options.maxEntries;
    mkdirSync(options.dir, { recursive: true });
    const { entries, lines, dropped } = this.read();
    if (dropped > 0) options.log?.(`store: dropped ${dropped} unreadable history lines`);
    this.entries = entries;
    for (const entry of entries) this.ids.add(entry.id);
    this.lines = lines;
  }

  private read(): { entries: HistoryEntry[]; lines: number; dropped: number } {
    if (!existsSync(this.file)) return { entries: [], lines: 0, dropped: 0 };
    const byId = new Map<string, HistoryEntry>();
    let lines = 0;
    let dropped = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines += 1;
      try {
        const parsed = historyEntrySchema.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error('invalid');
        // A later line for the same id replaces it (and moves it to where it was written).
        byId.delete(parsed.data.id);
        byId.set(parsed.data.id, parsed.data);
      } catch {
        dropped += 1;
      }
    }
    // The file is oldest first; the history is newest first.
    const entries = newestFirst([...byId.values()].reverse()).slice(0, this.maxEntries);
    return { entries, lines, dropped };
  }

  list(): HistoryEntry[] {
    return this.entries;
  }

  add(entry: HistoryEntry): void {
    const replacing = this.ids.has(entry.id);
    const others = replacing ? this.entries.filter((existing) => existing.id !== entry.id) : this.entries;
    const newest = others[0];
    // A new call is almost always the newest: put it on top without sorting 10,000 entries.
    const next =
      newest === undefined || Date.parse(newest.startedAt) <= Date.parse(entry.startedAt)
        ? [entry, ...others]
        : newestFirst([entry, ...others]);
    for (const dropped of next.splice(this.maxEntries)) this.ids.delete(dropped.id);
    this.entries = next;
    this.ids.add(entry.id);
    if (this.lines + 1 > this.maxEntries * 2) {
      this.rewrite(this.entries);
      return;
    }
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    this.lines += 1;
  }

  /** Replaces the whole history (clear, compaction, moving an older store's entries in). */
  rewrite(entries: HistoryEntry[]): void {
    this.entries = newestFirst(entries).slice(0, this.maxEntries);
    this.ids.clear();
    for (const entry of this.entries) this.ids.add(entry.id);
    const temporary = `${this.file}.${process.pid}.tmp`;
    // Oldest first on disk, so appends keep the file in time order.
    const text = [...this.entries]
      .reverse()
      .map((entry) => `${JSON.stringify(entry)}\n`)
      .join('');
    writeFileSync(temporary, text, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
    this.lines = this.entries.length;
  }

  clear(): void {
    this.rewrite([]);
  }
}

/** Newest first; already-sorted input (the usual case: a new call on top) costs one pass. */
function newestFirst(entries: HistoryEntry[]): HistoryEntry[] {
  const times = entries.map((entry) => Date.parse(entry.startedAt));
  const sorted = times.every((time, index) => index === 0 || (times[index - 1] ?? time) >= time);
  if (sorted) return entries;
  return entries
    .map((entry, index) => ({ entry, time: times[index] ?? 0 }))
    .sort((a, b) => b.time - a.time)
    .map(({ entry }) => entry);
}
