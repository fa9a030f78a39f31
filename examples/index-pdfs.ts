/**
 * The main job: index a folder of PDFs.
 *
 *   read PDFs, a row per page (pdfjs on the task pool) → chunk the text (task pool) → embed
 *   the chunks with an ONNX model (actor pool) → write id, path, page, chunk and vector to
 *   Parquet; then read the vectors back and answer a nearest-neighbour query
 *
 * Run: pnpm demo [folder of PDFs]. Without a folder it indexes a sample corpus that it
 * writes first (generated PDFs, no network). Output: $SLUICE_DEMO_OUT, default <tmp>/sluice-demo.
 * The model is @sluice/onnx's hashed character n-gram embedding (384 dimensions), written,
 * not downloaded; README, "Running a real model", says how to use an exported one.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { OnnxTextEmbedder, textEmbedder, writeHashedNgramModel, type OnnxTextEmbedderOptions } from '@sluice/onnx';
import { readPdfs, writeSampleCorpus } from '@sluice/pdf';
import { chunkText, readParquet } from 'sluice';

interface IndexedChunk {
  id: string;
  path: string;
  page: number;
  chunkIndex: number;
  text: string;
  vector: Float32Array;
}

const outDir = process.env.SLUICE_DEMO_OUT ?? join(os.tmpdir(), 'sluice-demo');
rmSync(outDir, { recursive: true, force: true });
let corpus = process.argv[2];
if (corpus === undefined) {
  corpus = join(outDir, 'sample-pdfs');
  const documents = await writeSampleCorpus(corpus, { documents: 24, pagesPerDocument: 8, seed: 7 });
  const pages = documents.reduce((n, d) => n + d.pages.length, 0);
  console.log(`wrote a sample corpus of ${documents.length} PDFs (${pages} pages, 6 topics) to ${corpus}\n`);
}
const modelPath = await writeHashedNgramModel(join(outDir, 'model', 'hashed-ngram-384.onnx'));
const embedding: OnnxTextEmbedderOptions = { modelPath, outputColumn: 'vector' };
const indexDir = join(outDir, 'index');

// Two embedding actors of half a CPU each leave CPU slots to the parsing and chunking tasks.
const chunks = readPdfs(corpus, { onError: 'skip' })
  // Ids hash each file's path relative to the corpus folder: moving the folder keeps them.
  .flatMap(chunkText({ size: 600, overlap: 80, pathRoot: corpus }))
  .mapBatches<IndexedChunk, [OnnxTextEmbedderOptions]>(textEmbedder, {
    name: 'Embed',
    batchFormat: 'arrow',
    batchSize: 128,
    concurrency: 2,
    numCpus: 0.5,
    constructorArgs: [embedding],
  })
  .selectColumns(['id', 'path', 'page', 'chunkIndex', 'text', 'vector']);
chunks.explain();
console.log();

const started = performance.now();
const written = await chunks.writeParquet(indexDir, { errorLog: join(outDir, 'errors.jsonl'), progressIntervalMs: 1000 });
const seconds = (performance.now() - started) / 1000;
console.log(`indexed ${written.rows} chunks in ${seconds.toFixed(2)} s (${Math.round(written.rows / seconds)} chunks/s)`);
console.log(`wrote ${written.files.length} Parquet files, ${(written.bytes / 1024 ** 2).toFixed(1)} MiB, to ${indexDir}\n`);
console.log(written.stats.toString());

// The query is embedded with the same model, here on the main thread; the index is read back from Parquet.
const question = 'the sailor steers the hull into the harbor against the tide';
const embedder = new OnnxTextEmbedder(embedding);
const [queryVector] = (await embedder.call({ text: [question] })).vector as Float32Array[];
await embedder.close();
const best: { score: number; chunk: IndexedChunk }[] = [];
for await (const batch of readParquet<IndexedChunk>(indexDir).iterBatches({ batchSize: 4096, progress: 'off' })) {
  for (const chunk of batch) {
    let score = 0;
    for (let i = 0; i < queryVector.length; i++) score += chunk.vector[i] * queryVector[i];
    best.push({ score, chunk });
    best.sort((a, b) => b.score - a.score);
    best.length = Math.min(best.length, 3);
  }
}
console.log(`\nnearest chunks to "${question}":`);
for (const { score, chunk } of best) {
  const preview = chunk.text.replace(/\s+/g, ' ').slice(0, 90);
  console.log(`  ${score.toFixed(3)}  ${chunk.path.split('/').pop()} p.${chunk.page} #${chunk.chunkIndex}  ${preview}…`);
}
