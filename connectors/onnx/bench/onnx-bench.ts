/**
 * bench/onnx: embedding rows/s of a 384-1536-384 MLP through sluice's actor pool (2 actors x 1
 * intra-op thread) against hand-written onnxruntime-node loops on the same model and batch
 * sizes, in the same run: two sessions in two worker threads with one thread each (the best
 * configuration on 2 cores), and one session with two threads; for information, the first
 * fed batch by batch from the main thread (data moved in and out, as actors must), and fed
 * through shared-memory slots (no buffer allocated per batch). sluice's runs after the first
 * start their actors in the threads the run before kept (`actorThreadKeepMs`, as a script's
 * jobs after its first do), x-and-y out, y out and the moved-data loop in turns; the first row
 * starts new threads every run, for comparison.
 *   pnpm bench:onnx            ONNX_ROWS (default 131072) rows per run, ONNX_REPS (default 3) runs, median
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { envInt, fmt, lpad, median, pad, printMachine } from '../../../dist/bench/bench-utils.js';
import { FixedSizeList, Field, Float32, Table, makeData, makeVector } from 'apache-arrow';
import { fromArrow } from 'sluice';
import { onnxPredictor, writeMlpModel } from '../dist/src/index.js';
import { seededUniform } from '../dist/src/models/onnx-graph.js';

const ROWS = envInt('ONNX_ROWS', 131_072);
const REPS = envInt('ONNX_REPS', 3);
const BATCHES = [16, 64, 256];
const WIDTH = 384;

/** Rows/s over the whole run (start-up included) and after the start-up. */
interface Rates {
  readonly endToEnd: number;
  readonly steady: number;
}

interface Contender {
  readonly name: string;
  run(modelPath: string, input: Float32Array, batchSize: number): Promise<Rates>;
}

/**
 * `workers` raw sessions with `threads` intra-op threads each, rows split evenly. Start-up
 * (threads, imports, sessions, a warm-up run) ends when every worker is ready.
 */
async function rawOrt(workers: number, threads: number, modelPath: string, input: Float32Array, batchSize: number): Promise<Rates> {
  const rows = input.length / WIDTH;
  const begin = performance.now();
  const share = Math.ceil(rows / workers);
  const pool = Array.from({ length: workers }, (_, i) => {
    const slice = input.slice(i * share * WIDTH, Math.min(rows, (i + 1) * share) * WIDTH);
    return new Worker(new URL('./raw-ort-worker.js', import.meta.url), {
      workerData: { modelPath, threads, batchSize, width: WIDTH, input: slice },
    });
  });
  const next = (w: Worker) => new Promise<void>((resolve, reject) => w.once('message', () => resolve()).once('error', reject));
  await Promise.all(pool.map(next));
  const start = performance.now();
  await Promise.all(pool.map((w) => (w.postMessage('go'), next(w))));
  const end = performance.now();
  await Promise.all(pool.map((w) => (w.postMessage('stop'), new Promise((resolve) => w.once('exit', resolve)))));
  return { endToEnd: (rows * 1000) / (end - begin), steady: (rows * 1000) / (end - start) };
}

/**
 * For information, not the goal's baseline: two single-threaded sessions in two workers fed
 * by the main thread batch by batch, each batch copied out of the input and moved to a worker
 * and its output moved back (2 batches in flight per worker, as sluice's actors take them).
 * The clock starts when the workers are ready; no row is in a worker before it.
 */
async function rawOrtMoved(modelPath: string, input: Float32Array, batchSize: number): Promise<Rates> {
  const rows = input.length / WIDTH;
  const begin = performance.now();
  const pool = Array.from(
    { length: 2 },
    () => new Worker(new URL('./raw-ort-moved-worker.js', import.meta.url), { workerData: { modelPath, width: WIDTH } }),
  );
  await Promise.all(pool.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
  const start = performance.now();
  let sent = 0;
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const send = (w: Worker) => {
      if (sent >= rows) return;
      const batch = input.slice(sent * WIDTH, Math.min(rows, sent + batchSize) * WIDTH);
      sent += batch.length / WIDTH;
      w.postMessage(batch, [batch.buffer]);
    };
    for (const w of pool) {
      w.on('message', (y: Float32Array) => {
        received += y.length / WIDTH;
        if (received === rows) resolve();
        else send(w);
      }).once('error', reject);
      send(w);
      send(w);
    }
  });
  const end = performance.now();
  await Promise.all(pool.map((w) => (w.postMessage('stop'), new Promise((resolve) => w.once('exit', resolve)))));
  return { endToEnd: (rows * 1000) / (end - begin), steady: (rows * 1000) / (end - start) };
}

/**
 * For information: the same two sessions fed through shared memory (raw-ort-shared-worker),
 * 2 slots per worker; the main thread copies each output out into one result array, as a
 * consumer would keep it. The clock starts when the workers are ready.
 */
async function rawOrtShared(modelPath: string, input: Float32Array, batchSize: number): Promise<Rates> {
  const rows = input.length / WIDTH;
  const slots = 2;
  const slotValues = batchSize * WIDTH;
  const begin = performance.now();
  const pool = Array.from({ length: 2 }, () => {
    const inputs = new SharedArrayBuffer(slots * slotValues * 4);
    const outputs = new SharedArrayBuffer(slots * slotValues * 4);
    const worker = new Worker(new URL('./raw-ort-shared-worker.js', import.meta.url), {
      workerData: { modelPath, width: WIDTH, batchSize, inputs, outputs },
    });
    return { worker, inputs: new Float32Array(inputs), outputs: new Float32Array(outputs), started: [0, 0], rows: [0, 0] };
  });
  await Promise.all(pool.map((p) => new Promise((resolve, reject) => p.worker.once('message', resolve).once('error', reject))));
  const start = performance.now();
  const result = new Float32Array(input.length);
  let sent = 0;
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const send = (p: (typeof pool)[number], slot: number) => {
      if (sent >= rows) return;
      const n = Math.min(batchSize, rows - sent);
      p.inputs.set(input.subarray(sent * WIDTH, (sent + n) * WIDTH), slot * slotValues);
      p.started[slot] = sent;
      p.rows[slot] = n;
      sent += n;
      p.worker.postMessage({ slot, rows: n });
    };
    for (const p of pool) {
      p.worker
        .on('message', (slot: number) => {
          const n = p.rows[slot];
          result.set(p.outputs.subarray(slot * slotValues, slot * slotValues + n * WIDTH), p.started[slot] * WIDTH);
          received += n;
          if (received === rows) resolve();
          else send(p, slot);
        })
        .once('error', reject);
      for (let slot = 0; slot < slots; slot++) send(p, slot);
    }
  });
  const end = performance.now();
  await Promise.all(pool.map((p) => (p.worker.postMessage('stop'), new Promise((resolve) => p.worker.once('exit', resolve)))));
  return { endToEnd: (rows * 1000) / (end - begin), steady: (rows * 1000) / (end - start) };
}

/**
 * sluice: an OnnxPredictor actor pool of 2, one intra-op thread each. Start-up (actor threads,
 * imports, sessions) ends when the first result arrives; steady is the rows after it.
 */
async function sluiceActors(
  modelPath: string,
  input: Float32Array,
  batchSize: number,
  keepColumns: boolean,
  actorThreadKeepMs?: number,
): Promise<Rates> {
  const rows = input.length / WIDTH;
  const child = makeData({ type: new Float32(), length: input.length, data: input });
  const x = makeVector(
    makeData({ type: new FixedSizeList(WIDTH, new Field('item', new Float32(), false)), length: rows, nullCount: 0, child }),
  );
  const ds = fromArrow(new Table({ x })).mapBatches(onnxPredictor, {
    batchFormat: 'arrow',
    batchSize,
    concurrency: 2,
    constructorArgs: [{ modelPath, intraOpNumThreads: 1, keepColumns }],
  });
  const begin = performance.now();
  let seen = 0;
  let first = { at: 0, rows: 0 };
  for await (const batch of ds.iterBatches({ batchFormat: 'arrow', batchSize: null, progress: 'off', actorThreadKeepMs })) {
    seen += batch.numRows;
    if (first.rows === 0) first = { at: performance.now(), rows: batch.numRows };
  }
  const end = performance.now();
  if (seen !== rows) throw new Error(`sluice returned ${seen} rows of ${rows}`);
  return { endToEnd: (rows * 1000) / (end - begin), steady: ((rows - first.rows) * 1000) / (end - first.at) };
}

const contenders: Contender[] = [
  // First, while no actor thread has been kept: every run starts its actors in new threads.
  { name: 'sluice, y out, new threads every run', run: (m, x, b) => sluiceActors(m, x, b, false, 0) },
  { name: 'sluice, 2 actors x 1 thread, x and y out', run: (m, x, b) => sluiceActors(m, x, b, true) },
  { name: 'sluice, 2 actors x 1 thread, y out', run: (m, x, b) => sluiceActors(m, x, b, false) },
  { name: 'raw ORT, 2 sessions x 1 thread (2 workers)', run: (m, x, b) => rawOrt(2, 1, m, x, b) },
  { name: 'raw ORT, 1 session x 2 threads', run: (m, x, b) => rawOrt(1, 2, m, x, b) },
  { name: 'info: raw ORT, 2 x 1, data moved per batch', run: rawOrtMoved },
  { name: 'info: raw ORT, 2 x 1, shared-memory slots', run: rawOrtShared },
];

printMachine('bench/onnx: 384-1536-384 MLP, rows/s (median of runs)');
console.log(`rows:     ${fmt(ROWS)} per run, ${REPS} runs per figure, onnxruntime-node CPU\n`);
const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-onnx-'));
try {
  const modelPath = await writeMlpModel(path.join(dir, 'mlp.onnx'));
  const input = seededUniform(1, ROWS * WIDTH, 1);
  const results = new Map<string, Rates[]>();
  // The two sluice contenders on kept threads and the moved-data loop their goals compare with run
  // in turns, in alternating order, run by run: each run's actors are warmer than the last's (V8
  // keeps optimising their code), and the machine drifts over a bench's minutes, so contenders
  // run one after the other would compare different moments. The others run one after another.
  const [newThreads, xyOut, yOut, rawTwo, rawOne, moved, shared] = contenders;
  for (const group of [[newThreads], [xyOut, yOut, moved], [rawTwo], [rawOne], [shared]]) {
    const runs = new Map(group.map((contender) => [contender, BATCHES.map((): Rates[] => [])]));
    for (const [b, batchSize] of BATCHES.entries())
      for (let r = 0; r < REPS; r++)
        for (const contender of r % 2 === 0 ? group : [...group].reverse())
          runs.get(contender)![b].push(await contender.run(modelPath, input, batchSize));
    for (const [contender, byBatch] of runs)
      results.set(
        contender.name,
        byBatch.map((all) => ({ endToEnd: median(all.map((x) => x.endToEnd)), steady: median(all.map((x) => x.steady)) })),
      );
  }
  for (const kind of ['steady', 'endToEnd'] as const) {
    console.log(kind === 'steady' ? 'after start-up (threads, imports, sessions):' : '\nend to end (start-up included):');
    console.log(`  ${pad('contender', 46)}${BATCHES.map((b) => lpad(`batch ${b}`, 12)).join('')}`);
    for (const [name, figures] of results) console.log(`  ${pad(name, 46)}${figures.map((f) => lpad(fmt(f[kind]), 12)).join('')}`);
    const at = (name: string, batch: number): number => results.get(name)![BATCHES.indexOf(batch)][kind];
    const bestRaw = Math.max(...contenders.filter((c) => c.name.startsWith('raw')).map((c) => at(c.name, 256)));
    const [cold, xy, y, , , moved] = contenders.map((c) => c.name);
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;
    console.log(
      `  sluice (y out) / the moved-data loop: batch 256 ${ratio(at(y, 256), at(moved, 256))} (goal >= 0.95), batch 16 ${ratio(at(y, 16), at(moved, 16))} (goal >= 0.75)`,
    );
    console.log(
      `  sluice, x and y out / y out: ${BATCHES.map((b) => `batch ${b} ${ratio(at(xy, b), at(y, b))}`).join(', ')} (goal >= 0.90)`,
    );
    console.log(
      `  info: new actor threads every run / the moved-data loop: batch 256 ${ratio(at(cold, 256), at(moved, 256))}, batch 16 ${ratio(at(cold, 16), at(moved, 16))}`,
    );
    console.log(
      `  info: batch 256, sluice / best raw ORT: x and y out ${ratio(at(xy, 256), bestRaw)}, y out ${ratio(at(y, 256), bestRaw)}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
