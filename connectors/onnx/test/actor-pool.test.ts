import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fromItems } from 'sluice';
import {
  HashedNgramTokenizer,
  hashedNgramReference,
  hashedNgramWeights,
  mlpReference,
  mlpWeights,
  onnxPredictor,
  textEmbedder,
  writeHashedNgramModel,
  writeMlpModel,
  type OnnxPredictorOptions,
} from '../src/index.js';
import { maxRelativeError, rowNorms, tempDir } from './fixtures.js';

const TEXTS = Array.from(
  { length: 300 },
  (_, i) => `document ${i}: ${['arrow', 'onnx', 'parquet', 'milvus'][i % 4]} ${'stream '.repeat(i % 7)}`,
);

test('textEmbedder on an actor pool of 2: the vectors equal the direct computation, row for row', async () => {
  const modelPath = await writeHashedNgramModel(path.join(await tempDir(), 'embed.onnx'));
  const table = await fromItems(TEXTS.map((text, id) => ({ id, text })))
    .mapBatches(textEmbedder, { batchFormat: 'arrow', batchSize: 64, concurrency: 2, constructorArgs: [{ modelPath }] })
    .toArrow();
  assert.equal(table.numRows, TEXTS.length);
  assert.equal(String(table.getChild('embedding')!.type), 'FixedSizeList[384]<Float32>');
  // Rows come back in the order the actors finish; each is placed by its id.
  const got = new Float32Array(TEXTS.length * 384);
  for (let r = 0; r < table.numRows; r++) {
    const id = table.getChild('id')!.get(r) as number;
    assert.equal(table.getChild('text')!.get(r), TEXTS[id]);
    got.set((table.getChild('embedding')!.get(r) as { toArray(): Float32Array }).toArray(), id * 384);
  }
  const tokens = new HashedNgramTokenizer().encodeBatch(TEXTS, 128);
  const expected = hashedNgramReference(hashedNgramWeights(), tokens.inputIds, tokens.batch, tokens.tokens);
  assert.ok(maxRelativeError(got, expected, 384) <= 1e-5);
  for (const n of rowNorms(got, 384)) assert.ok(Math.abs(n - 1) < 1e-5);
});

test('onnxPredictor on an actor pool of 2 maps a vector column through the model, in columns batches too', async () => {
  const sizes = { inputSize: 8, hiddenSize: 16, outputSize: 4, seed: 11 };
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), sizes);
  const x = Float32Array.from({ length: 100 * 8 }, (_, i) => Math.cos(i * 0.11));
  const items = Array.from({ length: 100 }, (_, i) => ({ id: i, features: x.slice(i * 8, (i + 1) * 8) }));
  const expected = mlpReference(mlpWeights(sizes), x, 100);
  const ds = fromItems(items);
  const options = {
    batchSize: 7,
    concurrency: 2,
    constructorArgs: [{ modelPath, inputs: { x: 'features' }, outputs: { y: 'scores' } }] as [OnnxPredictorOptions],
  };
  const runs = {
    arrow: ds.mapBatches(onnxPredictor, { ...options, batchFormat: 'arrow' }),
    columns: ds.mapBatches(onnxPredictor, { ...options, batchFormat: 'columns' }),
  };
  for (const [batchFormat, run] of Object.entries(runs)) {
    const table = await run.toArrow();
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ['id', 'features', 'scores'],
    );
    const got = new Float32Array(100 * 4);
    for (let r = 0; r < 100; r++)
      got.set((table.getChild('scores')!.get(r) as { toArray(): Float32Array }).toArray(), (table.getChild('id')!.get(r) as number) * 4);
    assert.ok(maxRelativeError(got, expected, 4) <= 1e-5, batchFormat);
  }
});

test("onnxPredictor's outputs reach the main thread in shared memory, with the right values", async () => {
  // 384 outputs x 256 rows: 384 KiB per batch, which the main thread's V8 would count towards its next mark-compact had it moved there.
  const sizes = { inputSize: 384, hiddenSize: 64, outputSize: 384, seed: 5 };
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp-wide.onnx'), sizes);
  const rows = 512;
  const x = Float32Array.from({ length: rows * 384 }, (_, i) => Math.sin(i * 0.013));
  const items = Array.from({ length: rows }, (_, i) => ({ x: x.slice(i * 384, (i + 1) * 384) }));
  // The output column alone, one batch per call: kept input columns would cut it to their batches.
  const ds = fromItems(items).mapBatches(onnxPredictor, {
    batchFormat: 'arrow',
    batchSize: 256,
    concurrency: 2,
    constructorArgs: [{ modelPath, keepColumns: false }],
  });
  const got: number[] = [];
  for await (const batch of ds.iterBatches({ batchFormat: 'arrow', batchSize: null, preserveOrder: true })) {
    const y = batch.getChild('y')!.data[0].children[0].values as Float32Array;
    assert.ok(y.buffer instanceof SharedArrayBuffer, 'the reply stream is shared, not moved');
    got.push(...y);
  }
  assert.equal(got.length, rows * 384);
  assert.ok(maxRelativeError(Float32Array.from(got), mlpReference(mlpWeights(sizes), x, rows), 384) <= 1e-5);
});
