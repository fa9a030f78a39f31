import type { CountEnginePages, OpenEngineDocument } from './pdf-engine.js';

/** Counting pages as any engine can: opening the whole document, reading its count, closing it. */
export function countByOpening(open: OpenEngineDocument): CountEnginePages {
  return async (...args) => {
    const doc = await open(...args);
    const numPages = doc.numPages;
    await doc.destroy();
    return numPages;
  };
}
