/**
 * The contenders of bench/pdf, each a timed pass over the same files: sluice's readPdfs (either
 * engine), raw single-thread loops of each engine, pdftotext processes, and LangChain.js's
 * PDFLoader pipeline. `chars` checks that they read the same text; `pages` that they read it all.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PDFLoader } from '@langchain/community/document_loaders/fs/pdf';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { openPdfiumDocument } from '../dist/src/engines/pdfium-engine.js';
import { readPdfs, type PdfEngineName } from '../dist/src/index.js';
import { pageText } from '../dist/src/page-text.js';
import { pdfjsDocumentOptions } from '../dist/src/pdfjs-options.js';

const run = promisify(execFile);

export interface Run {
  readonly seconds: number;
  readonly chars: number;
  /** Pages read; LangChain's PDFLoader leaves out pages without text. */
  readonly pages: number;
}

/** readPdfs on the task pool, every page's text to the main thread. */
export async function sluice(dir: string, engine: PdfEngineName, workers: number): Promise<Run> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for await (const batch of readPdfs(dir, { engine }).iterBatches({
    batchFormat: 'columns',
    batchSize: null,
    progress: 'off',
    cpus: workers,
  })) {
    for (const text of batch.text) chars += text.length;
    pages += batch.text.length;
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/** pdfjs on this thread, the same options and page-text layout as readPdfs; with `lanes` 2, two files at once, interleaved. */
export async function rawPdfjs(files: readonly string[], lanes = 1): Promise<Run> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  const lane = async (mine: readonly string[]) => {
    for (const file of mine) {
      const doc = await getDocument(pdfjsDocumentOptions(new Uint8Array(await readFile(file)))).promise;
      for (let p = 1; p <= doc.numPages; p++) {
        const page = await doc.getPage(p);
        const text = pageText(await page.getTextContent());
        chars += text.length;
        page.cleanup();
        pages++;
      }
      await doc.destroy();
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(files.filter((_, j) => j % lanes === i))));
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/** The pdfium engine on this thread, one file after another (its WebAssembly instance loaded by the cold run). */
export async function rawPdfium(files: readonly string[]): Promise<Run> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for (const file of files) {
    const doc = await openPdfiumDocument(file, null, undefined);
    for (let p = 1; p <= doc.numPages; p++) {
      chars += (await doc.readPage(p, null)).text.length;
      pages++;
    }
    await doc.destroy();
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/** pdftotext (poppler), a process per file, `lanes` processes at a time; null when it is not installed. */
export async function pdftotext(files: readonly string[], lanes: number): Promise<Run | null> {
  const installed = await run('pdftotext', ['-v']).then(
    () => true,
    () => false,
  );
  if (!installed) return null;
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  const queue = [...files];
  const lane = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const { stdout } = await run('pdftotext', [file, '-'], { maxBuffer: 1 << 28 });
      chars += stdout.length;
      // pdftotext ends every page with a form feed.
      pages += stdout.split('\f').length - 1;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/**
 * LangChain.js as its docs show it: PDFLoader (pdf-parse 1.1.4 and its bundled pdf.js, the
 * combination most installs have) and RecursiveCharacterTextSplitter, a file after another.
 */
export async function langchain(files: readonly string[]): Promise<Run> {
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 600, chunkOverlap: 80 });
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for (const file of files) {
    const docs = await new PDFLoader(file, { pdfjs: pdfParseV1 }).load();
    pages += docs.length;
    for (const doc of docs) chars += doc.pageContent.length;
    await splitter.splitDocuments(docs);
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/** What PDFLoader loads when pdf-parse 1 is the one installed (here under another name). */
async function pdfParseV1() {
  const { default: pdfjs } = await import('pdf-parse-v1/lib/pdf.js/v1.10.100/build/pdf.js');
  return { isV2: false as const, getDocument: pdfjs.getDocument, version: pdfjs.version };
}
