import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { HashedNgramTokenizer, HfTokenizer, TokenizerLoadError } from '../src/index.js';
import { WORDS, tempDir, writeWordPieceTokenizer } from './fixtures.js';

test('hashed n-gram tokenizer: deterministic ids in [1, vocabSize), padded with 0, truncated at maxTokens', () => {
  const a = new HashedNgramTokenizer({ vocabSize: 1000 });
  const b = new HashedNgramTokenizer({ vocabSize: 1000 });
  const text = 'The quick brown fox';
  assert.deepEqual(a.encode(text, 64), b.encode(text, 64));
  // ' the quick brown fox ' has 21 characters: 19 grams of 3.
  const ids = a.encode(text, 64);
  assert.equal(ids.length, 19);
  assert.ok(ids.every((id) => Number.isInteger(id) && id >= 1 && id < 1000));
  assert.deepEqual(a.encode('THE QUICK brown fox', 64), ids, 'case does not change ids');
  assert.deepEqual(a.encode(text, 5), ids.slice(0, 5));
  assert.deepEqual(a.encode('', 8), []);

  const batch = a.encodeBatch([text, 'fox', ''], 8);
  assert.equal(batch.batch, 3);
  assert.equal(batch.tokens, 8);
  assert.deepEqual([...batch.inputIds.subarray(8, 16)].map(Number), [...a.encode('fox', 8), 0, 0, 0, 0, 0]);
  // ' fox ': three grams.
  assert.deepEqual([...batch.attentionMask.subarray(8, 16)].map(Number), [1, 1, 1, 0, 0, 0, 0, 0]);
  assert.ok(batch.inputIds.subarray(16).every((id) => id === 0n));
});

test('a WordPiece tokenizer.json loads through @huggingface/tokenizers with the ids its vocabulary gives', async () => {
  const dir = await tempDir();
  const file = await writeWordPieceTokenizer(dir);
  const id = (w: string) => WORDS.indexOf(w);
  const expected = ['[CLS]', 'the', 'quick', 'brown', 'fox', 'jump', '##s', 'over', 'the', 'lazy', 'dog', '.', '[SEP]'].map(id);
  for (const where of [file, dir]) {
    const tokenizer = new HfTokenizer(where);
    assert.deepEqual(tokenizer.encode('The quick brown fox jumps over the lazy dog.', 64).ids, expected);
  }
  const tokenizer = new HfTokenizer(file);
  assert.deepEqual(tokenizer.encode('a zebra', 64).ids, [id('[CLS]'), id('a'), id('[UNK]'), id('[SEP]')]);
  // Truncation cuts the text's tokens and keeps [CLS] … [SEP], as Hugging Face's truncation does.
  assert.deepEqual(tokenizer.encode('The quick brown fox jumps', 5).ids, [id('[CLS]'), id('the'), id('quick'), id('brown'), id('[SEP]')]);
  const batch = tokenizer.encodeBatch(['data streams', 'the river flowing on and on'], 64);
  assert.equal(batch.tokens, 9);
  assert.deepEqual([...batch.inputIds.subarray(0, 9)].map(Number), [2, id('data'), id('stream'), id('##s'), 3, 0, 0, 0, 0]);
  assert.deepEqual([...batch.attentionMask.subarray(0, 9)].map(Number), [1, 1, 1, 1, 1, 0, 0, 0, 0]);
});

test('a missing or malformed tokenizer.json is a TokenizerLoadError naming the file', async () => {
  const dir = await tempDir();
  assert.throws(
    () => new HfTokenizer(path.join(dir, 'nope.json')),
    (e: unknown) => e instanceof TokenizerLoadError && e.message.includes('nope.json'),
  );
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, '{not json');
  assert.throws(
    () => new HfTokenizer(bad),
    (e: unknown) => e instanceof TokenizerLoadError && e.message.includes('not valid JSON'),
  );
});
