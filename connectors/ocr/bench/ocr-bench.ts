/**
 * bench/ocr: pages/s and accuracy of OCR on pages of real text PDFs, every contender on the same
 * page images in the same run:
 *   - sluice: ocrImages with its defaults (a detection actor, one recognition actor per core) on
 *     rows {path, page, image}; the timed run is the whole job, actor start-up (threads, model
 *     sessions) included
 *   - @gutenye/ocr-node (PaddleOCR PP-OCRv4 on onnxruntime-node, the same models): detect() on
 *     one page image after another, timed after Ocr.create() has loaded its models
 *     (goal: sluice >= 2x its pages/s, with the same or a lower mean CER)
 * Pages are rendered to PNG at 150 dpi by poppler's pdftoppm into a temporary folder; each page's
 * reference text is pdftotext's. A page counts only if that text has at least 400 non-space
 * characters (not a title or an empty page). Accuracy per page: the character error rate (CER,
 * whitespace removed) and the word overlap of the recognised text against the reference; the
 * issue's bar, CER <= 3% and word overlap >= 0.85, is for plain-prose pages, those whose text is
 * 95%+ letters and sentence punctuation (function references, listings and tables are not).
 * Each contender runs in a process of its own, twice: its first run (cold: sluice starts its
 * actors, the first inferences of each session) and a second, warm one in the same process.
 * sluice's rows carry the PNG bytes, read before the clock starts; gutenye reads each file itself.
 * Rounds take the contenders in turn, OCR_REPS rounds; rates are pages over seconds, median.
 *   pnpm bench:ocr                        pages of the PDFs under /usr/share/doc
 *   OCR_PDF_DIR=<folder> pnpm bench:ocr   pages of the PDFs under a folder (searched recursively)
 *   OCR_PAGES (default 12) pages, spread over the files; OCR_REPS (default 1) runs, median
 *   OCR_ONLY=sluice,gutenye               only these contenders (names as in contenders() below)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envInt, fmt, median, printMachine } from '../../../dist/bench/bench-utils.js';
import { fromItems } from 'sluice';
import { characterErrorRate, ocrImages, wordOverlap } from '../dist/src/index.js';

const PAGES = envInt('OCR_PAGES', 12);
const REPS = envInt('OCR_REPS', 1);
const DPI = 150;
/** Fewer non-space characters in pdftotext's text, and a page is not plain prose. */
const MIN_CHARS = 400;
/**
 * A page is plain prose when this share of its reference's non-space characters are letters
 * and sentence punctuation: API references, code listings, syntax and tables fall below it
 * (on the Debian manuals: prose pages 0.953-0.982, function references and listings 0.75-0.949).
 */
const PROSE_SHARE = 0.95;
/** The issue's accuracy bar on plain-prose pages. */
const MAX_CER = 0.03;
const MIN_OVERLAP = 0.85;
/** Where PDFs are looked for when OCR_PDF_DIR is not set. */
const DEFAULT_DIR = '/usr/share/doc';

/** One page of a PDF: its image, rendered by pdftoppm, and (in the main process) its reference text. */
interface Page {
  readonly pdf: string;
  readonly page: number;
  readonly png: string;
}

/** One timed pass: the seconds and each page's recognised text, in the order of the pages given. */
interface Run {
  readonly seconds: number;
  readonly texts: readonly string[];
}

/** The PDFs under OCR_PDF_DIR (or /usr/share/doc), searched recursively, sorted. */
async function pdfFiles(): Promise<string[]> {
  const dir = process.env.OCR_PDF_DIR ?? DEFAULT_DIR;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    throw new Error(`cannot list ${dir} (${String(error)}): set OCR_PDF_DIR to a folder of text PDFs`);
  });
  const files = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.pdf'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) throw new Error(`no .pdf file under ${dir}: set OCR_PDF_DIR to a folder of text PDFs`);
  return files;
}

const pageCount = (file: string): number =>
  Number(/^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? 0);

const referenceText = (file: string, page: number): string =>
  execFileSync('pdftotext', ['-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 });

/**
 * A file's pages in the order they are tried: spread over the whole file (the golden-ratio
 * sequence from its middle), so that neither the front matter nor one chapter fills the sample.
 */
function spreadPages(count: number): number[] {
  const order: number[] = [];
  for (let k = 0; k < count && order.length < count; k++) {
    const page = Math.floor(((0.5 + k * 0.618_034) % 1) * count) + 1;
    if (!order.includes(page)) order.push(page);
  }
  return order;
}

/**
 * OCR_PAGES pages, taken from the files in turn (a page of each, then a second of each, ...), each
 * with at least MIN_CHARS non-space characters of reference text, rendered to PNG in `dir`.
 */
function selectPages(files: readonly string[], dir: string): { pages: Page[]; references: string[] } {
  const queues = files.map((file) => ({ file, next: spreadPages(pageCount(file)) }));
  const pages: Page[] = [];
  const references: string[] = [];
  while (pages.length < PAGES && queues.some((q) => q.next.length > 0)) {
    for (const queue of queues) {
      if (pages.length === PAGES) break;
      // Up to 20 tries a turn: a file without a text layer must not hold the others up for long.
      for (let tries = 0; tries < 20 && queue.next.length > 0; tries++) {
        const page = queue.next.shift()!;
        const text = referenceText(queue.file, page);
        if (text.replace(/\s+/g, '').length < MIN_CHARS) continue;
        const prefix = path.join(dir, `${pages.length}-${path.basename(queue.file, '.pdf')}-p${page}`);
        execFileSync('pdftoppm', ['-r', String(DPI), '-f', String(page), '-l', String(page), '-png', '-singlefile', queue.file, prefix]);
        pages.push({ pdf: queue.file, page, png: `${prefix}.png` });
        references.push(text);
        break;
      }
    }
  }
  if (pages.length === 0) throw new Error(`no page with ${MIN_CHARS}+ characters of text in the PDFs found: set OCR_PDF_DIR`);
  return { pages, references };
}

/** What @gutenye/ocr-node's Ocr.create() resolves to, as far as this bench uses it (its declaration says `any`). */
interface GutenyeOcr {
  detect(image: string): Promise<{ text: string; mean: number; box: number[][] }[]>;
}

/** sluice's ocrImages on rows {path, page, image}; its rows come back in any order, matched to the pages by path and page. */
async function sluiceContender(pages: readonly Page[]): Promise<() => Promise<Run>> {
  const rows = await Promise.all(pages.map(async (p) => ({ path: p.pdf, page: p.page, image: new Uint8Array(await readFile(p.png)) })));
  const key = (pdf: string, page: number) => `${pdf}#${page}`;
  return async () => {
    const started = performance.now();
    const out = await ocrImages(fromItems(rows)).takeAll({ progress: 'off' });
    const seconds = (performance.now() - started) / 1000;
    const byPage = new Map(out.map((row) => [key(row.path, row.page), row.text]));
    const texts = pages.map((p) => {
      const text = byPage.get(key(p.pdf, p.page));
      if (text === undefined) throw new Error(`sluice returned no row for ${p.pdf} page ${p.page}`);
      return text;
    });
    return { seconds, texts };
  };
}

/** @gutenye/ocr-node: models loaded once (untimed), then detect() on each page image in turn; a page's text is its lines joined by '\n'. */
async function gutenyeContender(pages: readonly Page[]): Promise<() => Promise<Run>> {
  const Ocr = (await import('@gutenye/ocr-node')).default;
  const ocr = (await Ocr.create()) as GutenyeOcr;
  return async () => {
    const started = performance.now();
    const texts: string[] = [];
    for (const p of pages) texts.push((await ocr.detect(p.png)).map((line) => line.text).join('\n'));
    return { seconds: (performance.now() - started) / 1000, texts };
  };
}

/** The contenders, by name: what the table calls them and how to set one up (its returned function is one timed run). */
const contenders = {
  sluice: ['sluice ocrImages (defaults)', sluiceContender],
  gutenye: ['@gutenye/ocr-node detect(), one page after another', gutenyeContender],
} satisfies Record<string, [string, (pages: readonly Page[]) => Promise<() => Promise<Run>>]>;
type Name = keyof typeof contenders;

/** What a contender's process prints: its first timed run and a second one. */
interface ProcessRuns {
  readonly cold: Run;
  readonly warm: Run;
}

const RUN_FLAG = '--run';

if (process.argv[2] === RUN_FLAG) {
  // A contender's process: argv is --run <name> <pages as JSON>.
  const [name, pages] = [process.argv[3] as Name, JSON.parse(process.argv[4]) as Page[]];
  const run = await contenders[name][1](pages);
  const cold = await run();
  const runs: ProcessRuns = { cold, warm: await run() };
  console.log(JSON.stringify(runs));
} else {
  await main();
}

async function main(): Promise<void> {
  printMachine('bench/ocr: OCR of PDF pages rendered at 150 dpi, pages/s (median of runs) and accuracy against pdftotext');
  const files = await pdfFiles();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-ocr-'));
  try {
    const { pages, references } = selectPages(files, dir);
    const used = new Set(pages.map((p) => p.pdf)).size;
    console.log(
      `corpus:   ${process.env.OCR_PDF_DIR ?? DEFAULT_DIR}: ${files.length} PDFs; ${pages.length} page(s) of ${used} of them, ${DPI} dpi PNG, ` +
        `each with ${MIN_CHARS}+ non-space characters of pdftotext text (${fmt(references.reduce((n, t) => n + t.replace(/\s+/g, '').length, 0))} in all); ` +
        `${REPS} run(s) per figure, each contender in a process of its own\n`,
    );
    const only = process.env.OCR_ONLY?.split(',');
    const names = (Object.keys(contenders) as Name[]).filter((name) => only === undefined || only.includes(name));
    const cold = new Map<Name, number[]>(names.map((name) => [name, []]));
    const warm = new Map<Name, number[]>(names.map((name) => [name, []]));
    const texts = new Map<Name, readonly string[]>();
    for (let r = 0; r < REPS; r++) {
      for (const name of names) {
        const runs = runInProcess(name, pages);
        warm.get(name)!.push(pages.length / runs.warm.seconds);
        cold.get(name)!.push(pages.length / runs.cold.seconds);
        texts.set(name, runs.warm.texts);
      }
    }
    const rate = (name: Name) => (warm.get(name)?.length ? median(warm.get(name)!) : NaN);
    const coldRate = (name: Name) => (cold.get(name)?.length ? median(cold.get(name)!) : NaN);

    // Accuracy of each contender's (warm) text on each page.
    const scores = new Map<Name, { cer: number; overlap: number }[]>(
      [...texts].map(([name, recognised]) => [
        name,
        references.map((reference, i) => ({
          cer: characterErrorRate(reference, recognised[i]),
          overlap: wordOverlap(reference, recognised[i]),
        })),
      ]),
    );
    const meets = (s: { cer: number; overlap: number }) => s.cer <= MAX_CER && s.overlap >= MIN_OVERLAP;
    const prose = references.map((reference) => proseShare(reference) >= PROSE_SHARE);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const pct = (x: number) => `${fmt(100 * x, 2)}%`;

    console.log(
      `  ${'contender'.padEnd(52)}${'warm'.padStart(8)}${'cold'.padStart(8)}   pages/s (cold: the process's first run; sluice: actor start-up included in both)`,
    );
    for (const name of names) {
      const runs = warm
        .get(name)!
        .map((r) => fmt(r, 3))
        .join(', ');
      console.log(
        `  ${contenders[name][0].padEnd(52)}${fmt(rate(name), 3).padStart(8)}${fmt(coldRate(name), 3).padStart(8)}   (runs ${runs})`,
      );
    }

    console.log(`\n  per page: CER (whitespace removed) / word overlap against pdftotext's text`);
    const column = 24;
    console.log(`  ${'page'.padEnd(40)}${'ref chars'.padStart(10)}${names.map((name) => name.padStart(column)).join('')}`);
    pages.forEach((p, i) => {
      const label = `${path.basename(p.pdf)} p.${p.page}${prose[i] ? '' : ' (not prose)'}`.padEnd(40);
      const chars = fmt(references[i].replace(/\s+/g, '').length).padStart(10);
      const cells = names.map((name) => {
        const s = scores.get(name)![i];
        return `${pct(s.cer)} / ${fmt(s.overlap, 3)}${meets(s) ? ' ok' : '   '}`.padStart(column);
      });
      console.log(`  ${label}${chars}${cells.join('')}`);
    });
    const meanCer = (name: Name) => mean(scores.get(name)!.map((s) => s.cer));
    const meanOverlap = (name: Name) => mean(scores.get(name)!.map((s) => s.overlap));
    console.log(
      `  ${'mean'.padEnd(50)}${names.map((name) => `${pct(meanCer(name))} / ${fmt(meanOverlap(name), 3)}   `.padStart(column)).join('')}`,
    );

    const proseCount = prose.filter(Boolean).length;
    console.log(
      `\n  the issue's bar on plain-prose pages (CER <= ${pct(MAX_CER)}, word overlap >= ${MIN_OVERLAP}; 'ok' above; prose: ${PROSE_SHARE * 100}%+ letters and punctuation):`,
    );
    for (const name of names) {
      const onProse = scores.get(name)!.filter((s, i) => prose[i]);
      console.log(
        `    ${contenders[name][0].padEnd(52)}${onProse.filter(meets).length} of ${proseCount} prose pages (mean ${pct(mean(onProse.map((s) => s.cer)))} / ${fmt(mean(onProse.map((s) => s.overlap)), 3)}); all pages: ${scores.get(name)!.filter(meets).length} of ${pages.length}`,
      );
    }
    if (names.includes('sluice') && names.includes('gutenye')) {
      const ratio = rate('sluice') / rate('gutenye');
      const coldRatio = coldRate('sluice') / coldRate('gutenye');
      console.log(
        `\n  sluice / @gutenye/ocr-node pages/s (goal >= 2): ${fmt(ratio, 2)}x warm, ${fmt(coldRatio, 2)}x cold -> ${ratio >= 2 ? 'met' : 'NOT met'}`,
      );
      const same = meanCer('sluice') <= meanCer('gutenye');
      console.log(
        `  sluice mean CER <= @gutenye/ocr-node's (goal: same or better accuracy): ${pct(meanCer('sluice'))} vs ${pct(meanCer('gutenye'))} -> ${same ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One contender's two runs, in a node process of its own (this script with --run). */
function runInProcess(name: Name, pages: readonly Page[]): ProcessRuns {
  const args = [fileURLToPath(import.meta.url), RUN_FLAG, name, JSON.stringify(pages)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ProcessRuns;
}

/** The share of a text's non-space characters that are letters or sentence punctuation. */
function proseShare(text: string): number {
  const chars = text.replace(/\s+/g, '');
  if (chars.length === 0) return 0;
  return chars.replace(/[^\p{L}.,;:'"!?\u2018\u2019\u201c\u201d-]/gu, '').length / chars.length;
}
