import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { HashedNgramTokenizer, hashedNgramModel, hashedNgramReference, hashedNgramWeights, writeHashedNgramModel } from '../src/index.js';
import { maxRelativeError, rowNorms, tempDir } from './fixtures.js';

const TEXTS = ['streaming batch data', 'Arrow blocks on worker threads', 'a', '', 'ONNX Runtime in actors, 384 dimensions — déjà vu'];

test('the hashed n-gram model run by ONNX Runtime equals the same math in TypeScript (relative error <= 1e-5)', async () => {
  const file = await writeHashedNgramModel(path.join(await tempDir(), 'embed.onnx'));
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  const tokens = new HashedNgramTokenizer().encodeBatch(TEXTS, 128);
  const { embedding } = await session.run({ input_ids: new ort.Tensor('int64', tokens.inputIds, [tokens.batch, tokens.tokens]) });
  assert.deepEqual(embedding.dims, [TEXTS.length, 384]);
  const expected = hashedNgramReference(hashedNgramWeights(), tokens.inputIds, tokens.batch, tokens.tokens);
  const got = embedding.data as Float32Array;
  const nonEmpty = [0, 1, 2, 4];
  const pick = (v: Float32Array) => Float32Array.from(nonEmpty.flatMap((r) => [...v.subarray(r * 384, (r + 1) * 384)]));
  assert.ok(maxRelativeError(pick(got), pick(expected), 384) <= 1e-5, `relative error ${maxRelativeError(pick(got), pick(expected), 384)}`);
  for (const n of rowNorms(pick(got), 384)) assert.ok(Math.abs(n - 1) < 1e-5);
  // An empty text is all padding: a zero vector, not NaN.
  assert.ok(got.subarray(3 * 384, 4 * 384).every((v) => v === 0));
  await session.release();
});

test('dimensions and seed are settable; the same seed writes the same bytes', async () => {
  const options = { vocabSize: 512, hiddenSize: 16, dim: 32, seed: 5 };
  assert.deepEqual(hashedNgramModel(options), hashedNgramModel(options));
  assert.notDeepEqual(hashedNgramModel(options), hashedNgramModel({ ...options, seed: 6 }));
  const file = await writeHashedNgramModel(path.join(await tempDir(), 'small', 'embed.onnx'), options);
  const session = await ort.InferenceSession.create(file);
  const tokens = new HashedNgramTokenizer({ vocabSize: 512 }).encodeBatch(['seeded', 'weights'], 16);
  const { embedding } = await session.run({ input_ids: new ort.Tensor('int64', tokens.inputIds, [2, tokens.tokens]) });
  assert.deepEqual(embedding.dims, [2, 32]);
  const expected = hashedNgramReference(hashedNgramWeights(options), tokens.inputIds, 2, tokens.tokens);
  assert.ok(maxRelativeError(embedding.data as Float32Array, expected, 32) <= 1e-5);
  await session.release();
});
