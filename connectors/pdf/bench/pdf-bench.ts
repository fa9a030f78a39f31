/**
 * bench/pdf: pages/s of text extraction over a generated corpus, in the same run:
 *   - sluice: readPdfs on the task pool (2 worker threads), every page's text to the main thread
 *   - a raw pdfjs loop on one thread: the same files, pdfjs opened with the same options, the
 *     same page-text assembly, one file after another (the goal: sluice >= 1.8x of it)
 *   - pdftotext (poppler), one process per file, one after another (reported, no goal)
 *   - for information, the raw loop parsing two files at once on its one thread (as sluice's
 *     tasks do: pdfjs waits between steps, and the other file computes meanwhile)
 * Each contender first runs once untimed (worker threads started, pdfjs compiled by the JIT in
 * every thread that runs it), then PDF_REPS timed runs; the cold first runs are reported too.
 *   pnpm bench:pdf     PDF_DOCS (default 120) documents of PDF_PAGES (default 25) pages, PDF_REPS (default 3) runs, median
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

const DOCS = envInt('PDF_DOCS', 120);
const PAGES = envInt('PDF_PAGES', 25);
const REPS = envInt('PDF_REPS', 3);
const WORKERS = 2;
const run = promisify(execFile);

/** A timed pass over the corpus; chars checks that every contender read the same text. */
interface Run {
  readonly seconds: number;
  readonly chars: number;
  readonly pages: number;
}

async function sluice(dir: string): Promise<Run> {
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for await (const batch of readPdfs(dir).iterBatches({ batchFormat: 'columns', batchSize: null, progress: 'off', cpus: WORKERS })) {
    for (const text of batch.text) chars += text.length;
    pages += batch.text.length;
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

/** Files one after another on this thread; with `lanes` 2, two such loops over alternate files, interleaved. */
async function rawPdfjs(files: readonly string[], lanes = 1): Promise<Run> {
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

async function pdftotext(files: readonly string[]): Promise<Run | null> {
  if (
    !(await run('pdftotext', ['-v']).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const started = performance.now();
  let chars = 0;
  let pages = 0;
  for (const file of files) {
    const { stdout } = await run('pdftotext', [file, '-'], { maxBuffer: 1 << 28 });
    chars += stdout.length;
    // pdftotext ends every page with a form feed.
    pages += stdout.split('\f').length - 1;
  }
  return { seconds: (performance.now() - started) / 1000, chars, pages };
}

printMachine('bench/pdf: text extraction, pages/s (median of runs)');
const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-pdf-'));
try {
  const written = await writeSampleCorpus(dir, { documents: DOCS, pagesPerDocument: PAGES, seed: 11 });
  const files = written.map((d) => d.path);
  const corpus = { documents: written.length, pages: written.reduce((n, d) => n + d.pages.length, 0) };
  console.log(
    `corpus:   ${corpus.documents} PDFs, ${fmt(corpus.pages)} pages, ${REPS} runs per figure; sluice on ${WORKERS} worker threads\n`,
  );
  const contenders: [string, () => Promise<Run | null>][] = [
    [`sluice readPdfs, ${WORKERS} workers`, () => sluice(dir)],
    ['raw pdfjs loop, 1 thread', () => rawPdfjs(files)],
    ['pdftotext, a process per file', () => pdftotext(files)],
    ['info: raw pdfjs, 1 thread, 2 files at once', () => rawPdfjs(files, 2)],
  ];
  const cold = new Map<string, Run | null>();
  for (const [name, run] of contenders) cold.set(name, await run());
  const warm = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  const chars = new Map<string, number>();
  for (let r = 0; r < REPS; r++) {
    for (const [name, run] of contenders) {
      const result = await run();
      if (result === null) continue;
      if (result.pages !== corpus.pages) throw new Error(`${name} read ${result.pages} pages of ${corpus.pages}`);
      warm.get(name)!.push(result.pages / result.seconds);
      chars.set(name, result.chars);
    }
  }
  const rate = (name: string) => (warm.get(name)!.length ? median(warm.get(name)!) : NaN);
  const coldRate = (name: string) => {
    const run = cold.get(name);
    return run ? run.pages / run.seconds : NaN;
  };
  console.log(
    `  ${'contender'.padEnd(38)}${'warm'.padStart(10)}${'cold'.padStart(10)}   pages/s (cold: the first run, threads started and JIT compiling)`,
  );
  for (const [name] of contenders) {
    if (Number.isNaN(rate(name))) console.log(`  ${name.padEnd(38)}  (not installed)`);
    else
      console.log(
        `  ${name.padEnd(38)}${fmt(rate(name)).padStart(10)}${fmt(coldRate(name)).padStart(10)}   (${fmt(chars.get(name) ?? 0)} chars)`,
      );
  }
  const [sl, raw, pop, interleaved] = contenders.map(([name]) => rate(name));
  const [slCold, rawCold] = contenders.map(([name]) => coldRate(name));
  console.log(`\n  sluice / raw pdfjs (goal >= 1.8): ${fmt(sl / raw, 2)}x warm, ${fmt(slCold / rawCold, 2)}x cold`);
  if (!Number.isNaN(pop)) console.log(`  sluice / pdftotext: ${fmt(sl / pop, 2)}x; raw pdfjs / pdftotext: ${fmt(raw / pop, 2)}x`);
  console.log(`  info: sluice / raw pdfjs with 2 files at once on its thread: ${fmt(sl / interleaved, 2)}x`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
