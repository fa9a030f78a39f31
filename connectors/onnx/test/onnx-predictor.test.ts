import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FixedSizeList, Float32, List, Table, Utf8, Field, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import { OnnxModelError, OnnxPredictor, TensorMappingError, mlpReference, mlpWeights, writeMlpModel } from '../src/index.js';
import { InvalidOptionError } from 'sluice';
import { maxRelativeError, tempDir } from './fixtures.js';

const SIZES = { inputSize: 8, hiddenSize: 16, outputSize: 4, seed: 11 };

function inputs(rows: number): Float32Array {
  return Float32Array.from({ length: rows * SIZES.inputSize }, (_, i) => Math.sin(i * 0.37));
}

function arrowBatch(rows: number): Table {
  const child = makeData({ type: new Float32(), length: rows * SIZES.inputSize, data: inputs(rows) });
  const features = makeVector(
    makeData({ type: new FixedSizeList(SIZES.inputSize, new Field('item', new Float32(), false)), length: rows, nullCount: 0, child }),
  );
  const ids = vectorFromArray(
    Array.from({ length: rows }, (_, i) => `row-${i}`),
    new Utf8(),
  );
  return new Table({ id: ids, features });
}

test('OnnxPredictor maps a vector column to the input tensor and the output to a FixedSizeList column, for batches of 1, 7 and 256 rows', async () => {
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), SIZES);
  const predictor = new OnnxPredictor({ modelPath, inputs: { x: 'features' }, outputs: { y: 'scores' } });
  for (const rows of [1, 7, 256]) {
    const out = await predictor.call(arrowBatch(rows));
    assert.deepEqual(
      out.schema.fields.map((f) => f.name),
      ['id', 'features', 'scores'],
    );
    assert.equal(out.numRows, rows);
    const scores = out.getChild('scores')!;
    assert.equal(String(scores.type), 'FixedSizeList[4]<Float32>');
    assert.equal(out.getChild('id')!.get(rows - 1), `row-${rows - 1}`);
    const got = Float32Array.from({ length: rows * 4 }, (_, i) => (scores.get(Math.floor(i / 4)) as { get(k: number): number }).get(i % 4));
    assert.ok(maxRelativeError(got, mlpReference(mlpWeights(SIZES), inputs(rows), rows), 4) <= 1e-5);
  }
  await predictor.close();
});

test('OnnxPredictor reads slices and multi-batch Arrow tables (FixedSizeList, List and number columns)', async () => {
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), SIZES);
  const predictor = new OnnxPredictor({ modelPath, inputs: { x: 'features' } });
  const x = inputs(20);
  const expected = mlpReference(mlpWeights(SIZES), x, 20).subarray(3 * 4, 10 * 4);
  const lists = vectorFromArray(
    Array.from({ length: 20 }, (_, i) => [...x.subarray(i * 8, (i + 1) * 8)]),
    new List(new Field('item', new Float32(), true)),
  );
  for (const table of [arrowBatch(20), new Table({ features: lists }) as Table]) {
    const out = await predictor.call(table.slice(3, 10));
    const y = out.getChild('y')!;
    const got = Float32Array.from({ length: 7 * 4 }, (_, i) => (y.get(Math.floor(i / 4)) as { get(k: number): number }).get(i % 4));
    assert.ok(maxRelativeError(got, expected, 4) <= 1e-5, String(table.getChild('features')!.type));
  }
  // A batch made of two record batches (as the bundler joins blocks) is one tensor.
  const joined = await predictor.call(arrowBatch(4).concat(arrowBatch(3)));
  const y2 = joined.getChild('y')!;
  const both = Float32Array.from([...inputs(4), ...inputs(3)]);
  const got2 = Float32Array.from({ length: 7 * 4 }, (_, i) => (y2.get(Math.floor(i / 4)) as { get(k: number): number }).get(i % 4));
  assert.ok(maxRelativeError(got2, mlpReference(mlpWeights(SIZES), both, 7), 4) <= 1e-5);
  const scalar = new OnnxPredictor({ modelPath: await writeMlpModel(path.join(await tempDir(), 'one.onnx'), { ...SIZES, inputSize: 1 }) });
  const ones = new Table({ x: vectorFromArray([5, 6, 7, 8], new Float32()) }).slice(2, 4);
  const y = (await scalar.call(ones)).getChild('y')!;
  const want = mlpReference(mlpWeights({ ...SIZES, inputSize: 1 }), [7, 8], 2);
  assert.ok(maxRelativeError([...(y.get(0) as Float32Array), ...(y.get(1) as Float32Array)], want, 4) <= 1e-5);
  await Promise.all([predictor.close(), scalar.close()]);
});

test('OnnxPredictor takes columns batches (an array of vectors per row) and returns columns', async () => {
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), SIZES);
  const predictor = new OnnxPredictor({ modelPath });
  const x = inputs(7);
  const rows = Array.from({ length: 7 }, (_, i) => x.subarray(i * 8, (i + 1) * 8));
  const out = await predictor.call({ id: Float64Array.from({ length: 7 }, (_, i) => i), x: rows });
  assert.deepEqual(Object.keys(out), ['id', 'x', 'y']);
  const y = out.y as Float32Array[];
  assert.equal(y.length, 7);
  const flat = Float32Array.from(y.flatMap((v) => [...v]));
  assert.ok(maxRelativeError(flat, mlpReference(mlpWeights(SIZES), x, 7), 4) <= 1e-5);
  await predictor.close();
});

test('keepColumns keeps all input columns, none, or those named', async () => {
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), SIZES);
  const names = async (keepColumns: boolean | string[]) => {
    const predictor = new OnnxPredictor({ modelPath, inputs: { x: 'features' }, keepColumns });
    const table = await predictor.call(arrowBatch(3));
    const columns = await predictor.call({ id: ['a'], features: [inputs(1)] });
    await predictor.close();
    assert.deepEqual(
      Object.keys(columns),
      table.schema.fields.map((f) => f.name),
    );
    return Object.keys(columns);
  };
  assert.deepEqual(await names(true), ['id', 'features', 'y']);
  assert.deepEqual(await names(false), ['y']);
  assert.deepEqual(await names(['id']), ['id', 'y']);
  assert.throws(
    () => new OnnxPredictor({ modelPath, keepColumns: 'id' as unknown as string[] }),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'keepColumns',
  );
});

test('OnnxPredictor errors name the column, the input and the fix', async () => {
  const modelPath = await writeMlpModel(path.join(await tempDir(), 'mlp.onnx'), SIZES);
  const predictor = new OnnxPredictor({ modelPath, inputs: { x: 'features' } });
  await assert.rejects(
    predictor.call({ other: new Float32Array(3) }),
    (e: unknown) => e instanceof TensorMappingError && /no column 'features'/.test(e.message),
  );
  await assert.rejects(
    predictor.call({ features: [new Float32Array(3)] }),
    (e: unknown) => e instanceof TensorMappingError && /shape is \[batch, 8\].*3 values per row/.test(e.message),
  );
  const wrong = new OnnxPredictor({ modelPath, inputs: { nope: 'features' } });
  await assert.rejects(
    wrong.call({ features: [] }),
    (e: unknown) => e instanceof OnnxModelError && /'nope', which is not an input/.test(e.message),
  );
  const missing = new OnnxPredictor({ modelPath: path.join(path.dirname(modelPath), 'missing.onnx') });
  await assert.rejects(
    missing.call({}),
    (e: unknown) => e instanceof OnnxModelError && /cannot open the ONNX model .*missing\.onnx/.test(e.message),
  );
  await Promise.all([predictor.close(), wrong.close(), missing.close()]);
});
