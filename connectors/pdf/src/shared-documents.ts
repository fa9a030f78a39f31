import type { EngineDocument } from './engines/pdf-engine.js';

/** How long a worker keeps a part's document open after its last reader, for the next part of the file. */
const KEEP_MS = 1_000;

/** A document opened for one reader; `release()` once read, `discard()` when it must not serve again (a read given up on). */
export interface DocumentLease {
  readonly doc: EngineDocument;
  release(): Promise<void>;
  discard(): Promise<void>;
}

interface Entry {
  readonly opening: Promise<EngineDocument>;
  readers: number;
  closer: NodeJS.Timeout | null;
}

const entries = new Map<string, Entry>();

/**
 * The parts of one large PDF (its page ranges, `pagesPerTask`) reach a worker one after another
 * or in one task, and each opening reads the whole file again and parses again the fonts its pages
 * share: on 99 Debian manuals, 18% of the workers' CPU with ranges of 50 pages. So a worker keeps
 * a part's document open, by engine, password and path, for the file's next part while it has
 * readers and KEEP_MS after the last; then, or when discarded, it is destroyed.
 *
 * A kept document is also destroyed when the worker opens another file (`key` null: one read
 * alone, not shared). Parts come in file order, so the file is done by then; and a document left
 * open while others are opened and freed around it fragments PDFium's WebAssembly heap: its
 * malloc and free then took 20-25% longer, 3% of a worker's time on the Debian manuals.
 */
export async function openSharedDocument(key: string | null, open: () => Promise<EngineDocument>): Promise<DocumentLease> {
  if (key === null || !entries.has(key)) await closeKeptDocuments();
  if (key === null) {
    const doc = await open();
    return { doc, release: () => doc.destroy(), discard: () => doc.destroy() };
  }
  let entry = entries.get(key);
  if (entry === undefined) {
    entry = { opening: open(), readers: 0, closer: null };
    entries.set(key, entry);
    // A file that cannot be opened is not kept: the next part tries again, and fails with its own error.
    entry.opening.catch(() => entries.get(key) === entry && entries.delete(key));
  }
  const held = entry;
  held.readers++;
  if (held.closer !== null) clearTimeout(held.closer);
  held.closer = null;
  let doc: EngineDocument;
  try {
    doc = await held.opening;
  } catch (error) {
    held.readers--;
    throw error;
  }
  let done = false;
  const close = () => {
    if (entries.get(key) === held) entries.delete(key);
    return doc.destroy();
  };
  return {
    doc,
    release() {
      if (done) return Promise.resolve();
      done = true;
      if (--held.readers > 0) return Promise.resolve();
      // Discarded by another reader meanwhile: no longer kept, so this last reader closes it.
      if (entries.get(key) !== held) return doc.destroy();
      held.closer = setTimeout(() => void close(), KEEP_MS);
      // A document kept for a next part that never comes must not hold the worker's event loop.
      held.closer.unref();
      return Promise.resolve();
    },
    discard() {
      if (done) return Promise.resolve();
      done = true;
      held.readers--;
      return close();
    },
  };
}

/** Destroys the documents kept for a next part (no reader now). */
async function closeKeptDocuments(): Promise<void> {
  for (const [key, entry] of entries) {
    if (entry.readers > 0 || entry.closer === null) continue;
    clearTimeout(entry.closer);
    entries.delete(key);
    await (await entry.opening).destroy();
  }
}
