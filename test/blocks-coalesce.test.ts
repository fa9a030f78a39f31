import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { blockFromRows, rowsOfBlock } from '../src/blocks/index.js';
import { coalesceBatches } from '../src/blocks/coalesce.js';
import { concatBlocks } from '../src/blocks/concat.js';
import { mixedRows } from './fixtures/mixed-rows.js';

const rows = mixedRows(41);

test('a block of several batches becomes one batch with the same rows, slices at odd offsets included', () => {
  const block = blockFromRows(rows);
  // Offsets that are not multiples of 8 move validity and boolean bits by bits; sliced offsets must be rebased.
  const parts = [block.slice(0, 5), block.slice(5, 18), block.slice(18, 19), block.slice(19, 41)];
  const joined = concatBlocks(parts);
  assert.equal(joined.batches.length, 4);
  const one = coalesceBatches(joined);
  assert.equal(one.batches.length, 1);
  assert.equal(one.numRows, 41);
  assert.deepEqual(rowsOfBlock(one), rowsOfBlock(block));
  assert.equal(one.schema, joined.schema);
  // The buffers are whole Arrow: apache-arrow's own IPC writer and reader take them back row for row.
  assert.deepEqual(rowsOfBlock(tableFromIPC(tableToIPC(one))), rowsOfBlock(block));
});

test('nulls are counted and placed per row, and columns without nulls get no validity buffer', () => {
  const block = blockFromRows(rows);
  const one = coalesceBatches(concatBlocks([block.slice(0, 13), block.slice(13, 41)]));
  const ids = one.batches[0].data.children[0];
  assert.equal(ids.nullCount, 0);
  assert.equal(ids.nullBitmap?.byteLength ?? 0, 0);
  const text = one.getChild('text')!;
  assert.equal(text.nullCount, rows.filter((r) => r.text === null).length);
  for (let i = 0; i < rows.length; i++) assert.equal(text.isValid(i), rows[i].text !== null, `row ${i}`);
});

test('fixed-size lists of floats (vectors) are copied with their children', () => {
  const type = new FixedSizeList(3, new Field('item', new Float32(), false));
  const vectors = (from: number, n: number) => {
    const child = makeData({ type: new Float32(), length: n * 3, data: Float32Array.from({ length: n * 3 }, (_, k) => from + k / 10) });
    return makeData({ type, length: n, nullCount: 0, child });
  };
  const a = new Table({ v: makeVector(vectors(0, 2)) });
  const b = new Table({ v: makeVector(vectors(100, 3)) });
  const one = coalesceBatches(concatBlocks([a, b]));
  assert.equal(one.batches.length, 1);
  const column = one.getChild('v')!;
  assert.deepEqual(
    Array.from({ length: 5 }, (_, i) => Array.from(column.get(i) as Float32Array)),
    [
      ...[0, 1].map((r) => [0, 1, 2].map((k) => Math.fround((r * 3 + k) / 10))),
      ...[0, 1, 2].map((r) => [0, 1, 2].map((k) => Math.fround(100 + (r * 3 + k) / 10))),
    ],
  );
});

test('a block of one batch, or with a dictionary column, is given back as it is', () => {
  const block = blockFromRows(rows.slice(0, 3));
  assert.equal(coalesceBatches(block), block);
  const dictionary = new Dictionary(new Utf8(), new Int32());
  const coded = new Table({ word: vectorFromArray(['a', 'b'], dictionary) });
  const more = new Table({ word: vectorFromArray(['b', 'b', 'a'], dictionary) });
  const joined = concatBlocks([coded, more]);
  assert.equal(coalesceBatches(joined), joined);
});
