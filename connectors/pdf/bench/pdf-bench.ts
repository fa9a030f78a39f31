/**
 * bench/pdf: pages/s of text extraction, every contender on the same files in the same run:
 *   - sluice: readPdfs on the task pool (2 worker threads), engine 'pdfium' and engine 'pdfjs'
 *   - each engine's raw loop on one thread, one file after another (goal: sluice >= 1.8x of it)
 *   - pdftotext (poppler), a process per file, two at a time (goal: the default engine >= 1.5x)
 *   - LangChain.js: PDFLoader (pdf-parse 1.1.4) + RecursiveCharacterTextSplitter, one thread
 *     (goal: the default engine >= 2x)
 *   - for information, the raw pdfjs loop parsing two files at once on its one thread, and each
 *     engine in a hand-written two-thread program (hand-written-pool.ts): what two threads give on
 *     the machine without a framework, the ceiling of sluice's ratio to the one-thread loop
 * Each timed run is a process of its own, which first runs its contender once untimed (worker
 * threads started, code compiled by the JIT in every thread that runs it), so that no contender
 * runs in a heap another one left (a raw loop on the main thread leaves its engine and garbage
 * there, which sluice's main thread would then collect). Rounds take the contenders in turn,
 * PDF_REPS rounds; a round's first untimed runs are reported as cold. Rates are the corpus's
 * pages (pdfinfo's count for a folder) over the seconds.
 *   pnpm bench:pdf                  PDF_DOCS (default 120) generated documents of PDF_PAGES (default 25) pages
 *   PDF_DIR=<folder> pnpm bench:pdf the PDFs under a folder (real ones: see bench/RESULTS.md for a Debian corpus)
 *   PDF_REPS (default 3) runs, median
 *   PDF_ONLY=pdfium,rawPdfium,...   only these contenders (names as in contenders() below)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envInt, fmt, median, printMachine } from '../../../dist/bench/bench-utils.js';
import { writeSampleCorpus } from '../dist/src/index.js';
import { handWrittenPool } from './hand-written-pool.js';
import { langchain, pdftotext, rawPdfium, rawPdfjs, sluice, type Run } from './pdf-contenders.js';

const DOCS = envInt('PDF_DOCS', 120);
const PAGES = envInt('PDF_PAGES', 25);
const REPS = envInt('PDF_REPS', 3);
const WORKERS = 2;

interface Corpus {
  readonly dir: string;
  readonly files: readonly string[];
  readonly pages: number;
  readonly generated: boolean;
}

/** PDF_DIR's PDFs (pages counted by pdfinfo), or a generated corpus in a temporary folder. */
async function corpus(): Promise<Corpus> {
  const given = process.env.PDF_DIR;
  if (given) {
    const entries = await readdir(given, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.pdf'))
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
    if (files.length === 0) throw new Error(`PDF_DIR=${given}: no .pdf file under it`);
    const pages = files.reduce(
      (n, file) => n + Number(/^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]),
      0,
    );
    return { dir: given, files, pages, generated: false };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-pdf-'));
  const written = await writeSampleCorpus(dir, { documents: DOCS, pagesPerDocument: PAGES, seed: 11 });
  return { dir, files: written.map((d) => d.path), pages: written.reduce((n, d) => n + d.pages.length, 0), generated: true };
}

/** The contenders, by name: what the table calls them and one run over the corpus. */
function contenders(input: Pick<Corpus, 'dir' | 'files'>) {
  return {
    pdfium: [`sluice readPdfs pdfium, ${WORKERS} workers`, () => sluice(input.dir, 'pdfium', WORKERS)],
    pdfjs: [`sluice readPdfs pdfjs, ${WORKERS} workers`, () => sluice(input.dir, 'pdfjs', WORKERS)],
    rawPdfium: ['raw pdfium loop, 1 thread', () => rawPdfium(input.files)],
    rawPdfjs: ['raw pdfjs loop, 1 thread', () => rawPdfjs(input.files)],
    pdftotext: ['pdftotext, 2 processes at a time', () => pdftotext(input.files, 2)],
    langchain: ['LangChain.js PDFLoader + splitter', () => langchain(input.files)],
    interleaved: ['info: raw pdfjs, 1 thread, 2 files at once', () => rawPdfjs(input.files, 2)],
    handPdfium: [`info: hand-written pdfium, ${WORKERS} threads`, () => handWrittenPool(input.files, 'pdfium', WORKERS)],
    handPdfjs: [`info: hand-written pdfjs, ${WORKERS} threads`, () => handWrittenPool(input.files, 'pdfjs', WORKERS)],
  } satisfies Record<string, [string, () => Promise<Run | null>]>;
}
type Name = keyof ReturnType<typeof contenders>;

/** What a contender's process prints: its untimed first run and its timed one (null: not installed). */
interface ProcessRuns {
  readonly cold: Run | null;
  readonly warm: Run | null;
}

const RUN_FLAG = '--run';

if (process.argv[2] === RUN_FLAG) {
  // A contender's process: argv is --run <name> <dir> <files as JSON>.
  const [name, dir, files] = [process.argv[3] as Name, process.argv[4], JSON.parse(process.argv[5]) as string[]];
  const run = contenders({ dir, files })[name][1];
  const cold = await run();
  const runs: ProcessRuns = { cold, warm: cold === null ? null : await run() };
  console.log(JSON.stringify(runs));
} else {
  await main();
}

async function main(): Promise<void> {
  printMachine('bench/pdf: text extraction, pages/s (median of runs)');
  const input = await corpus();
  try {
    console.log(
      `corpus:   ${input.generated ? 'generated' : input.dir}: ${input.files.length} PDFs, ${fmt(input.pages)} pages, ${REPS} runs per figure, each in a process of its own; sluice on ${WORKERS} worker threads\n`,
    );
    const table = contenders(input);
    const only = process.env.PDF_ONLY?.split(',');
    const names = (Object.keys(table) as Name[]).filter((name) => only === undefined || only.includes(name));
    const cold = new Map<Name, number[]>(names.map((name) => [name, []]));
    const warm = new Map<Name, number[]>(names.map((name) => [name, []]));
    const chars = new Map<Name, number>();
    for (let r = 0; r < REPS; r++) {
      for (const name of names) {
        const runs = runInProcess(name, input);
        if (runs.warm === null || runs.cold === null) continue;
        // PDFLoader leaves out pages without text: it may read fewer, never more.
        const complete = name === 'langchain' ? runs.warm.pages <= input.pages : runs.warm.pages === input.pages;
        if (!complete) throw new Error(`${table[name][0]} read ${runs.warm.pages} pages of ${input.pages}`);
        warm.get(name)!.push(input.pages / runs.warm.seconds);
        cold.get(name)!.push(input.pages / runs.cold.seconds);
        chars.set(name, runs.warm.chars);
      }
    }
    // NaN for a contender left out (PDF_ONLY) or not installed.
    const rate = (name: Name) => (warm.get(name)?.length ? median(warm.get(name)!) : NaN);
    const coldRate = (name: Name) => (cold.get(name)?.length ? median(cold.get(name)!) : NaN);
    console.log(
      `  ${'contender'.padEnd(44)}${'warm'.padStart(10)}${'cold'.padStart(10)}   pages/s (cold: a process's first run, threads started and JIT compiling)`,
    );
    for (const name of names) {
      const label = table[name][0].padEnd(44);
      if (Number.isNaN(rate(name))) console.log(`  ${label}  (not installed)`);
      else {
        const runs = warm
          .get(name)!
          .map((r) => fmt(r))
          .join(', ');
        console.log(
          `  ${label}${fmt(rate(name)).padStart(10)}${fmt(coldRate(name)).padStart(10)}   (runs ${runs}; ${fmt(chars.get(name) ?? 0)} chars)`,
        );
      }
    }
    const ratio = (a: Name, b: Name) => (Number.isNaN(rate(a) / rate(b)) ? '-' : `${fmt(rate(a) / rate(b), 2)}x`);
    console.log(`\n  default engine (pdfium) / LangChain.js (goal >= 2): ${ratio('pdfium', 'langchain')}`);
    console.log(`  default engine (pdfium) / pdftotext x2 (goal >= 1.5): ${ratio('pdfium', 'pdftotext')}`);
    console.log(`  sluice / its raw loop (goal >= 1.8): pdfium ${ratio('pdfium', 'rawPdfium')}, pdfjs ${ratio('pdfjs', 'rawPdfjs')}`);
    console.log(`  pdfium / pdfjs: sluice ${ratio('pdfium', 'pdfjs')}, raw ${ratio('rawPdfium', 'rawPdfjs')}`);
    console.log(`  info: sluice pdfjs / raw pdfjs with 2 files at once on its thread: ${ratio('pdfjs', 'interleaved')}`);
    console.log(
      `  info: hand-written ${WORKERS} threads / raw loop: pdfium ${ratio('handPdfium', 'rawPdfium')}, pdfjs ${ratio('handPdfjs', 'rawPdfjs')}`,
    );
    console.log(
      `  info: sluice / hand-written ${WORKERS} threads: pdfium ${ratio('pdfium', 'handPdfium')}, pdfjs ${ratio('pdfjs', 'handPdfjs')}`,
    );
  } finally {
    if (input.generated) await rm(input.dir, { recursive: true, force: true });
  }
}

/** One contender's cold and warm runs, in a node process of its own (this script with --run). */
function runInProcess(name: Name, input: Corpus): ProcessRuns {
  const args = [fileURLToPath(import.meta.url), RUN_FLAG, name, input.dir, JSON.stringify(input.files)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 ** 2, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ProcessRuns;
}
