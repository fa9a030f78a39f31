/**
 * The demo job: a multi-stage pipeline over generated documents.
 *
 *   range → make a document and embed it (CPU-heavy, fused on the task pool)
 *         → keep the long ones (main thread) → materialize
 *         → documents per topic, a nearest-neighbour query, per-operator stats
 *
 * Run: pnpm demo
 */
import { count, mean, range } from 'sluice';
import { DIM, embedOnWorkers, makeDocOnWorkers } from './pipeline-udfs.js';

// Both worker steps fuse into one task-pool operator; the filter runs on the main thread.
const docs = range(20_000)
  .map(makeDocOnWorkers)
  .map(embedOnWorkers, { name: 'Embed' })
  .filter((doc) => doc.tokens >= 40);
docs.explain();
console.log();

const started = performance.now();
const embedded = await docs.materialize();
const seconds = (performance.now() - started) / 1000;
const stats = await embedded.stats();
const rows = await embedded.count();
console.log(`embedded ${rows} documents in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} docs/s)\n`);

console.log('documents per topic:');
for (const row of await embedded.groupBy('topic').aggregate(count(), mean('tokens')).takeAll()) {
  console.log(`  ${String(row.topic).padEnd(8)} ${String(row['count()']).padStart(5)} docs, ${Number(row['mean(tokens)']).toFixed(1)} tokens on average`);
}

const [query] = await embedded.take(1);
let best = { id: -1, score: -Infinity };
for await (const batch of embedded.iterBatches({ batchSize: 4096 })) {
  for (const doc of batch) {
    if (doc.id === query.id) continue;
    let score = 0;
    for (let i = 0; i < DIM; i++) score += doc.vector[i] * query.vector[i];
    if (score > best.score) best = { id: doc.id, score };
  }
}
console.log(`\nnearest neighbour of document ${query.id}: document ${best.id} (cosine ${best.score.toFixed(3)})\n`);

console.log(stats.toString());
