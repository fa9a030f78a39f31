/**
 * bench/pdf's two-thread baseline: what a careful hand-written program does with the same engine
 * on worker threads, with none of a framework's parts (no plan, no tasks, no Arrow, no retries).
 * The main thread counts the pages of files over 256 KiB as readPdfs does and cuts them into
 * 50-page parts; each worker pulls the next part from a queue, keeps its
 * current document open for the file's next part, and posts the part's page texts back (a reader
 * exists to hand its text on). Its ratio to the one-thread loop is what two threads can give on
 * the machine, measured in the same run as sluice.
 */
import { stat } from 'node:fs/promises';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { CountEnginePages, EngineDocument, OpenEngineDocument, PdfEngineName } from '../dist/src/engines/pdf-engine.js';
import type { Run } from './pdf-contenders.js';

const SPLIT_BYTES = 256 * 1024;
const PAGES_PER_PART = 50;

/** A file's pages first..last (1-based, inclusive), read by one worker. */
type Part = readonly [engine: PdfEngineName, file: string, first: number, last: number];

async function engine(name: PdfEngineName): Promise<OpenEngineDocument> {
  return name === 'pdfium'
    ? (await import('../dist/src/engines/pdfium-engine.js')).openPdfiumDocument
    : (await import('../dist/src/engines/pdfjs-engine.js')).openPdfjsDocument;
}

/** Page counts as readPdfs takes them: PDFium reading only the blocks that takes, pdfjs opening the file. */
async function pageCounter(name: PdfEngineName): Promise<CountEnginePages> {
  return name === 'pdfium'
    ? (await import('../dist/src/engines/pdfium-page-count.js')).countPdfiumPages
    : (await import('../dist/src/engines/count-by-opening.js')).countByOpening(await engine(name));
}

/** Workers kept between runs, as sluice keeps its pool: a run measures reading, not starting threads. */
const workers: Worker[] = [];

export async function handWrittenPool(files: readonly string[], engineName: PdfEngineName, threads: number): Promise<Run> {
  while (workers.length < threads) {
    const worker = new Worker(new URL(import.meta.url));
    worker.unref();
    workers.push(worker);
  }
  const started = performance.now();
  const count = await pageCounter(engineName);
  const queue: Part[] = [];
  for (const file of files) {
    if ((await stat(file)).size <= SPLIT_BYTES) {
      queue.push([engineName, file, 1, Number.MAX_SAFE_INTEGER]);
      continue;
    }
    const last = await count(file, null, undefined);
    for (let first = 1; first <= last; first += PAGES_PER_PART)
      queue.push([engineName, file, first, Math.min(last, first + PAGES_PER_PART - 1)]);
  }
  let pages = 0;
  let chars = 0;
  await Promise.all(
    workers.slice(0, threads).map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const next = () => {
            const part = queue.shift();
            if (part === undefined) {
              worker.off('message', done);
              worker.off('error', reject);
              resolve();
            } else worker.postMessage(part);
          };
          const done = (texts: string[]) => {
            pages += texts.length;
            for (const text of texts) chars += text.length;
            next();
          };
          worker.on('message', done);
          worker.on('error', reject);
          next();
        }),
    ),
  );
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  let current: { file: string; doc: EngineDocument } | null = null;
  const readPart = async ([engineName, file, first, last]: Part): Promise<string[]> => {
    if (current?.file !== file) {
      await current?.doc.destroy();
      current = { file, doc: await (await engine(engineName))(file, null, undefined) };
    }
    const { doc } = current;
    const texts: string[] = [];
    for (let page = first; page <= Math.min(last, doc.numPages); page++) texts.push((await doc.readPage(page, null)).text);
    return texts;
  };
  // A part that cannot be read ends the worker with its error, which fails the run.
  port.on(
    'message',
    (part: Part) =>
      void readPart(part).then(
        (texts) => port.postMessage(texts),
        (error: unknown) => {
          throw error;
        },
      ),
  );
}
