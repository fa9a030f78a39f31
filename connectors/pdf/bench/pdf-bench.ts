/**
 * bench/pdf: pages/s of text extraction over a generated corpus, in the same run:
 *   - sluice: readPdfs on the task pool (2 worker threads), every page's text to the main thread
 *   - a raw pdfjs loop on one thread: the same files, pdfjs opened with the same options, the
 *     same page-text assembly, one file after another (the goal: sluice >= 1.8x of it)
 *   - pdftotext (poppler), one process per file, one after another (reported, no goal)
 *   pnpm bench:pdf     PDF_DOCS (default 40) documents of PDF_PAGES (default 25) pages, PDF_REPS (default 3) runs, median
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { envInt, fmt, median, printMachine } from '../../../dist/bench/bench-utils.js';
import { readPdfs, writeSampleCorpus } from '../dist/src/index.js';
import { pageText } from '../dist/src/page-text.js';
import { pdfjsDocumentOptions } from '../dist/src/pdfjs-options.js';

const DOCS = envInt('PDF_DOCS', 40);
const PAGES = envInt('PDF_PAGES', 25);
const REPS = envInt('PDF_REPS', 3);
const WORKERS = 2;
const run = promisify(execFile);

/** sluice: pages/s and the characters seen (to check every contender read the same text). */
async function sluice(dir: string): Promise<{ seconds: number; chars: number; pages: number }> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for await (const batch of readPdfs(dir).iterBatches({ batchFormat: 'columns', batchSize: null, progress: 'off', cpus: WORKERS })) {
    for (const text of batch.text as string[]) chars += text.length;
    pages += (batch.text as string[]).length;
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

async function rawPdfjs(files: readonly string[]): Promise<{ seconds: number; chars: number; pages: number }> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for (const file of files) {
    const doc = await getDocument(pdfjsDocumentOptions(new Uint8Array(await readFile(file)))).promise;
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      chars += pageText(await page.getTextContent()).length;
      page.cleanup();
      pages++;
    }
    await doc.destroy();
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

async function pdftotext(files: readonly string[], pages: number): Promise<{ seconds: number; chars: number; pages: number } | null> {
  if (!(await run('pdftotext', ['-v']).then(() => true, () => false))) return null;
  const started = performance.now();
  let chars = 0;
  for (const file of files) chars += (await run('pdftotext', [file, '-'], { maxBuffer: 1 << 28 })).stdout.length;
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

printMachine('bench/pdf: text extraction, pages/s (median of runs)');
const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-pdf-'));
try {
  const written = await writeSampleCorpus(dir, { documents: DOCS, pagesPerDocument: PAGES, seed: 11 });
  const files = written.map((d) => d.path);
  const corpus = { documents: written.length, pages: written.reduce((n, d) => n + d.pages.length, 0) };
  console.log(`corpus:   ${corpus.documents} PDFs, ${fmt(corpus.pages)} pages, ${REPS} runs per figure; sluice on ${WORKERS} worker threads\n`);
  const figures = { sluice: [] as number[], raw: [] as number[], poppler: [] as number[] };
  const chars = { sluice: 0, raw: 0, poppler: 0 };
  for (let r = 0; r < REPS; r++) {
    const s = await sluice(dir);
    const raw = await rawPdfjs(files);
    const poppler = await pdftotext(files, corpus.pages);
    if (s.pages !== corpus.pages || raw.pages !== corpus.pages) throw new Error(`pages read: sluice ${s.pages}, raw ${raw.pages}, of ${corpus.pages}`);
    figures.sluice.push(s.pages / s.seconds);
    figures.raw.push(raw.pages / raw.seconds);
    if (poppler) figures.poppler.push(poppler.pages / poppler.seconds);
    Object.assign(chars, { sluice: s.chars, raw: raw.chars, poppler: poppler?.chars ?? 0 });
  }
  const [sl, raw, pop] = [median(figures.sluice), median(figures.raw), figures.poppler.length ? median(figures.poppler) : NaN];
  console.log(`  sluice readPdfs, ${WORKERS} workers            ${fmt(sl).padStart(8)} pages/s   (${fmt(chars.sluice)} chars)`);
  console.log(`  raw pdfjs loop, 1 thread               ${fmt(raw).padStart(8)} pages/s   (${fmt(chars.raw)} chars)`);
  console.log(`  pdftotext, a process per file          ${Number.isNaN(pop) ? '   (not installed)' : `${fmt(pop).padStart(8)} pages/s   (${fmt(chars.poppler)} chars)`}`);
  console.log(`\n  sluice / raw pdfjs (goal >= 1.8): ${fmt(sl / raw, 2)}x`);
  if (!Number.isNaN(pop)) console.log(`  sluice / pdftotext: ${fmt(sl / pop, 2)}x; raw pdfjs / pdftotext: ${fmt(raw / pop, 2)}x`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
