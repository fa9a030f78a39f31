/**
 * The main job: index a folder of PDFs.
 *
 *   read PDFs, a row per page (pdfjs on the task pool) → chunk the text (task pool) → embed
 *   the chunks with an ONNX model (actor pool) → write id, path, page, chunk and vector to
 *   Parquet, or to Milvus when MILVUS_URI is set; then answer a nearest-neighbour query
 *
 * Run: pnpm demo [folder of PDFs]. Without a folder it indexes a sample corpus that it
 * writes first (generated PDFs, no network). Output: $SLUICE_DEMO_OUT, default <tmp>/sluice-demo.
 * With MILVUS_URI (and MILVUS_TOKEN, MILVUS_COLLECTION, default 'sluice_demo_chunks') the
 * chunks are upserted into Milvus by their ids (a rerun replaces them) and Milvus answers the query.
 * The model is @sluice/onnx's hashed character n-gram embedding (384 dimensions), written,
 * not downloaded; README, "Running a real model", says how to use an exported one.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { milvusSink, type MilvusCollectionSpec } from '@sluice/milvus';
import { OnnxTextEmbedder, textEmbedder, writeHashedNgramModel, type OnnxTextEmbedderOptions } from '@sluice/onnx';
import { readPdfs, writeSampleCorpus } from '@sluice/pdf';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { chunkText, readParquet, type Dataset, type DatasetStats } from 'sluice';

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
// The run's report (README, "Watching a job"); SLUICE_DASHBOARD=1 shows the same live while it runs.
const reportPath = join(outDir, 'report.html');

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

const question = 'the sailor steers the hull into the harbor against the tide';
// The query is embedded with the same model, here on the main thread.
const embedder = new OnnxTextEmbedder(embedding);
const [queryVector] = (await embedder.call({ text: [question] })).vector as Float32Array[];
await embedder.close();

const milvusUri = process.env.MILVUS_URI;
const nearest = milvusUri === undefined ? await toParquet(chunks) : await toMilvus(chunks, milvusUri);
console.log(`\nnearest chunks to "${question}":`);
for (const { score, chunk } of nearest) {
  const preview = chunk.text.replace(/\s+/g, ' ').slice(0, 90);
  console.log(`  ${score.toFixed(3)}  ${chunk.path.split('/').pop()} p.${chunk.page} #${chunk.chunkIndex}  ${preview}…`);
}

interface Nearest {
  score: number;
  chunk: Omit<IndexedChunk, 'vector' | 'id'>;
}

function report(rows: number, started: number, stats: DatasetStats, where: string[]): void {
  const seconds = (performance.now() - started) / 1000;
  console.log(`indexed ${rows} chunks in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} chunks/s)`);
  console.log(`${[...where, `the run's report: ${reportPath}`].join('\n')}\n`);
  console.log(stats.toString());
}

/** Writes the index as Parquet, then scans it for the chunks nearest the query. */
async function toParquet(ds: Dataset<IndexedChunk>): Promise<Nearest[]> {
  const started = performance.now();
  const written = await ds.writeParquet(indexDir, { errorLog: join(outDir, 'errors.jsonl'), progressIntervalMs: 1000, report: reportPath });
  report(written.rows, started, written.stats, [
    `wrote ${written.files.length} Parquet files, ${(written.bytes / 1024 ** 2).toFixed(1)} MiB, to ${indexDir}`,
    '(set MILVUS_URI=http://localhost:19530 to load the chunks into Milvus instead: README, "Milvus")',
  ]);
  const best: Nearest[] = [];
  for await (const batch of readParquet<IndexedChunk>(indexDir).iterBatches({ batchSize: 4096, progress: 'off' })) {
    for (const chunk of batch) {
      let score = 0;
      for (let i = 0; i < queryVector.length; i++) score += chunk.vector[i] * queryVector[i];
      best.push({ score, chunk });
      best.sort((a, b) => b.score - a.score);
      best.length = Math.min(best.length, 3);
    }
  }
  return best;
}

/** Upserts the index into a Milvus collection (created when missing), then asks Milvus for the nearest chunks. */
async function toMilvus(ds: Dataset<IndexedChunk>, uri: string): Promise<Nearest[]> {
  const token = process.env.MILVUS_TOKEN;
  const collection = process.env.MILVUS_COLLECTION ?? 'sluice_demo_chunks';
  const spec: MilvusCollectionSpec = {
    fields: [
      { name: 'id', type: 'VarChar', primaryKey: true, maxLength: 64 },
      { name: 'path', type: 'VarChar', maxLength: 1024 },
      { name: 'page', type: 'Int32' },
      { name: 'chunkIndex', type: 'Int32' },
      { name: 'text', type: 'VarChar', maxLength: 8192 },
      { name: 'vector', type: 'FloatVector', dim: 384 },
    ],
    indexes: [{ field: 'vector', metricType: 'IP' }],
  };
  const started = performance.now();
  const written = await ds.write(milvusSink({ uri, token, collection, createCollection: spec }), {
    errorLog: join(outDir, 'errors.jsonl'),
    progressIntervalMs: 1000,
    report: reportPath,
  });
  report(written.rows, started, written.stats, [`upserted them into Milvus collection '${collection}' at ${uri}`]);
  const client = new MilvusClient({ address: uri, token });
  try {
    const found = await client.search({
      collection_name: collection,
      data: [Array.from(queryVector)],
      limit: 3,
      output_fields: ['path', 'page', 'chunkIndex', 'text'],
    });
    return found.results.map((hit) => ({
      score: Number(hit.score),
      chunk: { path: String(hit.path), page: Number(hit.page), chunkIndex: Number(hit.chunkIndex), text: String(hit.text) },
    }));
  } finally {
    await client.closeConnection();
  }
}
