/**
 * bench/milvus (c) (`pnpm bench:milvus:pdf`): the whole PDF index job (read, chunk, embed, write
 * into Milvus) through sluice against the same job written with LangChain.js, on the same PDFs,
 * into the Milvus stand-in running in a process of its own. See pdf-index-jobs.ts for the jobs.
 * LangChain's PDFLoader runs twice: with pdf-parse 2 (what it loads first, and what npm installs
 * today) and with pdf-parse 1 (its older path: pdf.js 1.10, much faster on real documents).
 *
 * Corpora: a generated one (PDF_INDEX_DOCS documents of PDF_INDEX_PAGES pages), and the PDFs under
 * PDF_INDEX_REAL when it names a folder (generated PDFs flatter pdfjs; bench/RESULTS.md says which
 * real ones were used). Each contender runs PDF_INDEX_REPS rounds, interleaved and in alternating
 * order, each in a fresh process (so none inherits another's heap, JIT, threads or pdfjs build);
 * the best round counts. After each run the stand-in's row count must equal the chunks the job wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeHashedNgramModel } from '@sluice/onnx';
import { readPdfs, writeSampleCorpus } from '@sluice/pdf';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { splitText } from 'sluice';
import { envInt, fmt, printMachine } from '../../../dist/bench/bench-utils.js';
import { CHUNK, EMBED_BATCH, type IndexJob, type IndexResult } from './pdf-index-jobs.js';

const DOCS = envInt('PDF_INDEX_DOCS', 120);
const PAGES = envInt('PDF_INDEX_PAGES', 25);
const REPS = envInt('PDF_INDEX_REPS', 3);
const REAL = process.env.PDF_INDEX_REAL;
const CPUS = Math.min(2, os.availableParallelism());
const CONTENDERS = ['sluice', 'langchain', 'langchain-pdf-parse-1'] as const;
type Contender = (typeof CONTENDERS)[number];
const GOAL = 2;

interface Run extends IndexResult {
  readonly seconds: number;
  /** CPU time of the job's process, all threads. */
  readonly cpuSeconds: number;
}

/** Starts a child process running `script` and resolves to the last line it prints that matches `pattern`. */
function child(script: string, args: string[], pattern: RegExp): Promise<{ match: RegExpExecArray; stop: () => void }> {
  // stdin stays open: the stand-in stops when it closes.
  const proc = spawn(process.execPath, [new URL(script, import.meta.url).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let stopped = false;
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (s: string) => {
      out += s;
      const match = pattern.exec(out);
      const stop = () => {
        stopped = true;
        proc.stdin.end();
      };
      if (match) resolve({ match, stop });
    });
    proc.on('exit', (code, signal) => {
      const error = new Error(`${script} ${args[0] ?? ''} exited with ${code ?? signal}`);
      // A failure before its line is the caller's error; after it (the stand-in dying mid-bench) it is said here.
      if (!stopped && code !== 0 && pattern.test(out)) console.error(error.message);
      reject(error);
    });
  });
}

async function runJob(contender: Contender, job: IndexJob): Promise<Run> {
  const { match } = await child('./pdf-index-job.js', [contender, JSON.stringify(job)], /RESULT (.+)\n/);
  return JSON.parse(match[1]) as Run;
}

async function countOf(client: MilvusClient, collection: string): Promise<number> {
  const result = await client.query({ collection_name: collection, filter: '', output_fields: ['count(*)'] });
  return Number(result.data[0]['count(*)']);
}

const NAMES: Record<Contender, string> = {
  sluice: `sluice (readPdfs' default engine, pdfium, ${CPUS} task slots, ${CPUS} embed actors)`,
  langchain: 'LangChain.js (PDFLoader: pdf-parse 2.4.5 / pdfjs 5.4)',
  'langchain-pdf-parse-1': 'LangChain.js (PDFLoader: pdf-parse 1.1.4 / pdf.js 1.10)',
};

/** Runs the contenders on one corpus, interleaved; prints their best rounds and returns sluice's time ratio to each LangChain job. */
async function bench(label: string, corpus: string, modelPath: string, uri: string, client: MilvusClient): Promise<number[]> {
  const texts = (await readPdfs(corpus).selectColumns(['text']).takeAll({ progress: 'off' })).map((row) => row.text);
  const pages = texts.length;
  console.log(`\n${label}: ${corpus}, ${fmt(pages)} pages`);
  // The two splitters on the same text (readPdfs'), to tell their difference from the extractors'.
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: CHUNK.size, chunkOverlap: CHUNK.overlap });
  let [ours, theirs] = [0, 0];
  for (const text of texts) {
    ours += splitText(text, CHUNK).length;
    theirs += (await splitter.splitText(text)).length;
  }
  const runs: Record<Contender, Run[]> = { sluice: [], langchain: [], 'langchain-pdf-parse-1': [] };
  for (let round = 0; round < REPS; round++) {
    const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
    for (const contender of order) {
      const collection = `${contender.replaceAll('-', '_')}_${label}_${round}`;
      const run = await runJob(contender, { corpus, uri, collection, modelPath, cpus: CPUS, pages });
      const landed = await countOf(client, collection);
      if (landed !== run.chunks) throw new Error(`${contender} wrote ${run.chunks} chunks but the stand-in holds ${landed} rows`);
      await client.dropCollection({ collection_name: collection });
      runs[contender].push(run);
    }
  }
  const best = (contender: Contender) => runs[contender].reduce((a, b) => (b.seconds < a.seconds ? b : a));
  console.log(
    `  ${'contender'.padEnd(60)}${'pages/s'.padStart(8)}${'chunks/s'.padStart(9)}${'rows'.padStart(7)}${'CPU s'.padStart(7)}   rounds, s`,
  );
  for (const contender of CONTENDERS) {
    const b = best(contender);
    const rounds = runs[contender].map((r) => r.seconds.toFixed(2)).join(', ');
    // Rows: the chunks the job wrote, which the stand-in's count(*) matched after every round.
    console.log(
      `  ${NAMES[contender].padEnd(60)}${fmt(pages / b.seconds).padStart(8)}${fmt(b.chunks / b.seconds).padStart(9)}${fmt(b.chunks).padStart(7)}${fmt(b.cpuSeconds, 1).padStart(7)}   ${rounds}`,
    );
  }
  const sl = best('sluice');
  console.log(`  the splitters alone on readPdfs' text: chunkText ${fmt(ours)} chunks, RecursiveCharacterTextSplitter ${fmt(theirs)}`);
  return (['langchain', 'langchain-pdf-parse-1'] as const).map((contender) => {
    const lc = best(contender);
    const diff = lc.chunks - sl.chunks;
    const chunks =
      diff === 0
        ? 'the same chunks'
        : `${fmt(Math.abs(diff))} chunks ${diff > 0 ? 'more' : 'fewer'} (${fmt((100 * diff) / sl.chunks, 1)}%)`;
    const empty = lc.pages === pages ? '' : `, ${fmt(pages - lc.pages)} pages without text left out`;
    const ratio = lc.seconds / sl.seconds;
    console.log(`  sluice / ${NAMES[contender]}: ${fmt(ratio, 2)}x (goal >= ${GOAL}); it wrote ${chunks}${empty}`);
    return ratio;
  });
}

printMachine('bench/milvus (c): PDF index job into the Milvus stand-in, sluice vs LangChain.js');
console.log(
  `job:      chunks of ${CHUNK.size} chars (overlap ${CHUNK.overlap}), hashed n-gram ONNX embedder (384-d, batch ${EMBED_BATCH}), a collection per run; ${REPS} interleaved rounds, each in its own process, best round each`,
);
const load = () =>
  os
    .loadavg()
    .map((l) => fmt(l, 2))
    .join(' ');
// Other processes on the machine slow the threaded contender most: the load is printed before and after.
console.log(`load:     ${load()} (1, 5, 15 min) before`);
const work = await mkdtemp(path.join(os.tmpdir(), 'sluice-pdf-index-bench-'));
const standIn = await child('../dist/test/fixtures/stand-in-process.js', ['{}'], /URI (\S+)/);
const uri = standIn.match[1];
const client = new MilvusClient({ address: uri, maxRetries: 0, telemetry: { enabled: false } });
try {
  await client.connectPromise;
  const modelPath = await writeHashedNgramModel(path.join(work, 'hashed-ngram-384.onnx'));
  const generated = path.join(work, 'generated');
  await writeSampleCorpus(generated, { documents: DOCS, pagesPerDocument: PAGES, seed: 11 });
  const ratios: [string, number[]][] = [['generated', await bench('generated', generated, modelPath, uri, client)]];
  if (REAL !== undefined) ratios.push(['real', await bench('real', path.resolve(REAL), modelPath, uri, client)]);
  console.log(`\n  sluice / LangChain.js (pdf-parse 2; pdf-parse 1), same pages, best rounds; goal >= ${GOAL}`);
  for (const [label, [v2, v1]] of ratios) console.log(`  ${label.padEnd(10)} ${fmt(v2, 2)}x; ${fmt(v1, 2)}x`);
  console.log(`load:     ${load()} after`);
} finally {
  await client.closeConnection();
  standIn.stop();
  await rm(work, { recursive: true, force: true });
}
