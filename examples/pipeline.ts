/**
 * The demo job: a multi-stage pipeline over generated documents.
 *
 *   range → make a document (task pool) → embed it with an ONNX model (actor pool: ONNX
 *   Runtime sessions) → keep the long ones (main thread) → write Parquet (task pool, atomic
 *   commits); read the Parquet files back → documents per topic, a nearest-neighbour query
 *
 * The model is written by @sluice/onnx (a hashed character n-gram embedding, 384 dimensions),
 * not downloaded. Run: pnpm demo   (writes to $SLUICE_DEMO_OUT, default <tmp>/sluice-demo)
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { textEmbedder, writeHashedNgramModel, type OnnxTextEmbedderOptions } from '@sluice/onnx';
import { count, mean, range, readParquet } from 'sluice';
import { makeDocOnWorkers, type EmbeddedDoc } from './pipeline-udfs.js';

const outDir = process.env.SLUICE_DEMO_OUT ?? join(os.tmpdir(), 'sluice-demo');
rmSync(outDir, { recursive: true, force: true });
const modelPath = await writeHashedNgramModel(join(outDir, 'model', 'hashed-ngram-384.onnx'));
const docsDir = join(outDir, 'docs');

// Two actors of half a CPU each leave a CPU slot to the task-pool steps of the same job.
const docs = range(20_000)
  .map(makeDocOnWorkers)
  .mapBatches<EmbeddedDoc, [OnnxTextEmbedderOptions]>(textEmbedder, {
    name: 'Embed',
    batchFormat: 'arrow',
    batchSize: 256,
    concurrency: 2,
    numCpus: 0.5,
    constructorArgs: [{ modelPath, outputColumn: 'vector' }],
  })
  .filter((doc) => doc.tokens >= 40);
docs.explain();
console.log();

const started = performance.now();
const written = await docs.writeParquet(docsDir, { targetRowsPerFile: 5_000 });
const seconds = (performance.now() - started) / 1000;
const mib = (written.bytes / 1024 ** 2).toFixed(1);
console.log(`embedded ${written.rows} documents in ${seconds.toFixed(2)} s (${Math.round(written.rows / seconds)} docs/s)`);
console.log(`wrote ${written.files.length} Parquet files, ${mib} MiB, to ${docsDir}\n`);

// The written files are the dataset from here on: read back on the task pool, a row group per task.
const embedded = readParquet<EmbeddedDoc>(docsDir);

console.log('documents per topic:');
for (const row of await embedded.groupBy('topic').aggregate(count(), mean('tokens')).takeAll()) {
  console.log(
    `  ${String(row.topic).padEnd(8)} ${String(row['count()']).padStart(5)} docs, ${Number(row['mean(tokens)']).toFixed(1)} tokens on average`,
  );
}

const [query] = await embedded.take(1);
let best = { id: -1, topic: '', score: -Infinity };
for await (const batch of embedded.iterBatches({ batchSize: 4096 })) {
  for (const doc of batch) {
    if (doc.id === query.id) continue;
    let score = 0;
    for (let i = 0; i < query.vector.length; i++) score += doc.vector[i] * query.vector[i];
    if (score > best.score) best = { id: doc.id, topic: doc.topic, score };
  }
}
console.log(
  `\nnearest neighbour of document ${query.id} (${query.topic}, ${query.vector.length} dimensions): ` +
    `document ${best.id} (${best.topic}, cosine ${best.score.toFixed(3)})\n`,
);

console.log(written.stats.toString());
