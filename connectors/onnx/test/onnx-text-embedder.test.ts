import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import {
  HashedNgramTokenizer,
  HfTokenizer,
  OnnxTextEmbedder,
  hashedNgramReference,
  hashedNgramWeights,
  tokenEmbeddingWeights,
  writeHashedNgramModel,
  writeTokenEmbeddingModel,
} from '../src/index.js';
import { WORDS, maxRelativeError, rowNorms, tempDir, writeWordPieceTokenizer } from './fixtures.js';

const TEXTS = ['The quick brown fox jumps over the lazy dog.', 'a river of data', 'vectors, batches and models', 'the dog'];

function textTable(texts: readonly string[]): Table {
  return new Table({ text: vectorFromArray([...texts], new Utf8()), n: vectorFromArray(texts.map((_, i) => i)) });
}

function vectors(table: Table, column: string, dim: number): Float32Array {
  const out = new Float32Array(table.numRows * dim);
  for (let r = 0; r < table.numRows; r++) out.set((table.getChild(column)!.get(r) as { toArray(): Float32Array }).toArray(), r * dim);
  return out;
}

test('OnnxTextEmbedder adds a FixedSizeList<384, Float32> column of unit vectors equal to the direct computation', async () => {
  const modelPath = await writeHashedNgramModel(path.join(await tempDir(), 'embed.onnx'));
  const embedder = new OnnxTextEmbedder({ modelPath });
  const out = await embedder.call(textTable(TEXTS));
  assert.deepEqual(
    out.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
    ['text: Utf8', 'n: Float64', 'embedding: FixedSizeList[384]<Float32>'],
  );
  const got = vectors(out, 'embedding', 384);
  for (const n of rowNorms(got, 384)) assert.ok(Math.abs(n - 1) < 1e-5, `norm ${n}`);
  const tokens = new HashedNgramTokenizer().encodeBatch(TEXTS, 128);
  assert.ok(maxRelativeError(got, hashedNgramReference(hashedNgramWeights(), tokens.inputIds, tokens.batch, tokens.tokens), 384) <= 1e-5);

  // The same texts as a columns batch, under other column names: the same vectors.
  const renamed = new OnnxTextEmbedder({ modelPath, textColumn: 'body', outputColumn: 'vec', maxTokens: 128 });
  const columns = await renamed.call({ body: [...TEXTS] });
  assert.deepEqual(Object.keys(columns), ['body', 'vec']);
  assert.ok(maxRelativeError(Float32Array.from((columns.vec as Float32Array[]).flatMap((v) => [...v])), got, 384) <= 1e-6);
  await Promise.all([embedder.close(), renamed.close()]);
});

test("OnnxTextEmbedder with a tokenizer.json and pooling 'mean' feeds input_ids, attention_mask, token_type_ids and averages over the mask", async () => {
  const dir = await tempDir();
  const tokenizerPath = await writeWordPieceTokenizer(dir);
  const modelPath = await writeTokenEmbeddingModel(path.join(dir, 'model.onnx'), { vocabSize: WORDS.length, hiddenSize: 24 });
  const embedder = new OnnxTextEmbedder({
    modelPath,
    tokenizer: { kind: 'huggingface', path: tokenizerPath },
    pooling: 'mean',
    maxTokens: 16,
  });
  const out = await embedder.call(textTable(TEXTS));
  assert.equal(String(out.getChild('embedding')!.type), 'FixedSizeList[24]<Float32>');
  const got = vectors(out, 'embedding', 24);

  // The same in TypeScript: mean of (word + type) vectors over each text's tokens, normalised.
  const w = tokenEmbeddingWeights({ vocabSize: WORDS.length, hiddenSize: 24 });
  const tokenizer = new HfTokenizer(tokenizerPath);
  const expected = new Float32Array(TEXTS.length * 24);
  TEXTS.forEach((text, r) => {
    const { ids } = tokenizer.encode(text, 16);
    const sum = new Float64Array(24);
    for (const id of ids) for (let d = 0; d < 24; d++) sum[d] += w.word[id * 24 + d] + w.type[d];
    const norm = Math.hypot(...sum);
    for (let d = 0; d < 24; d++) expected[r * 24 + d] = sum[d] / norm;
  });
  assert.ok(maxRelativeError(got, expected, 24) <= 1e-5, `relative error ${maxRelativeError(got, expected, 24)}`);
  await embedder.close();
});
