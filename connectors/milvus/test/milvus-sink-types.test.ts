/**
 * milvusSink with every field type it writes: half-float vectors from Float32Arrays (decoded by
 * the stand-in's own decoder), binary vectors as bytes, whole and real numbers, booleans, JSON,
 * arrays, nullable fields (nulls and a missing column), and extra columns kept in $meta.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromItems } from 'sluice';
import { milvusSink, type MilvusCollectionSpec } from '../src/index.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';
import { collectionName } from './fixtures/milvus-target.js';
import { vectorOf } from './fixtures/sink-rows.js';

let milvus: MilvusStandIn;
before(async () => {
  milvus = await MilvusStandIn.start();
});
after(() => milvus.stop());

const spec: MilvusCollectionSpec = {
  enableDynamicField: true,
  fields: [
    { name: 'id', type: 'Int64', primaryKey: true },
    { name: 'half', type: 'Float16Vector', dim: 8 },
    { name: 'brain', type: 'BFloat16Vector', dim: 8 },
    { name: 'bits', type: 'BinaryVector', dim: 16 },
    { name: 'small', type: 'Int16' },
    { name: 'score', type: 'Double' },
    { name: 'flag', type: 'Bool' },
    { name: 'meta', type: 'JSON' },
    { name: 'tags', type: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 16 },
    { name: 'note', type: 'VarChar', maxLength: 32, nullable: true },
    { name: 'absent', type: 'Int32', nullable: true },
  ],
};

/** The float16 nearest to x (10 bits of mantissa), for values in the normal range. */
function nearestFloat16(x: number): number {
  if (x === 0) return 0;
  const exponent = Math.floor(Math.log2(Math.abs(x)));
  const step = 2 ** (exponent - 10);
  return Math.round(x / step) * step;
}

test('every field type arrives as written; half floats are rounded to nearest; nulls and extra columns are kept', async () => {
  const collection = collectionName('types');
  const rows = Array.from({ length: 30 }, (_, i) => ({
    id: 1000 + i,
    half: vectorOf(i),
    brain: vectorOf(i + 100),
    bits: Uint8Array.of(i, 255 - i),
    small: i - 15,
    score: i / 3,
    flag: i % 2 === 0,
    meta: { page: i, title: `t${i}` },
    tags: ['a', `b${i}`],
    note: i % 3 === 0 ? null : `note ${i}`,
    source: `file-${i}.pdf`,
  }));
  const sink = milvusSink({ uri: milvus.uri, collection, createCollection: spec });
  await fromItems(rows).write(sink);
  const stored = milvus.rows(collection);
  assert.equal(stored.length, 30);
  for (const row of stored) {
    const i = Number(row.id) - 1000;
    const half = row.half as number[];
    Array.from(vectorOf(i)).forEach((x, d) => assert.equal(half[d], nearestFloat16(x), `half[${d}] of row ${i}`));
    const brain = row.brain as number[];
    Array.from(vectorOf(i + 100)).forEach((x, d) => assert.ok(Math.abs(brain[d] - x) <= Math.abs(x) / 128, `brain[${d}] of row ${i}`));
    assert.deepEqual(Array.from(row.bits as Uint8Array), [i, 255 - i]);
    assert.equal(row.small, i - 15);
    assert.equal(row.score, i / 3);
    assert.equal(row.flag, i % 2 === 0);
    assert.deepEqual(row.meta, { page: i, title: `t${i}` });
    assert.deepEqual(row.tags, ['a', `b${i}`]);
    assert.equal(row.note, i % 3 === 0 ? null : `note ${i}`);
    assert.equal(row.absent, null);
    assert.deepEqual(row.$meta, { source: `file-${i}.pdf` });
  }
});

test("an auto-id collection in mode 'insert' gets keys from Milvus; the rows carry none", async () => {
  const collection = collectionName('autoid');
  const sink = milvusSink({
    uri: milvus.uri,
    collection,
    mode: 'insert',
    createCollection: {
      fields: [
        { name: 'pk', type: 'Int64', primaryKey: true, autoId: true },
        { name: 'vec', type: 'FloatVector', dim: 8 },
      ],
    },
  });
  const result = await fromItems(Array.from({ length: 12 }, (_, i) => ({ vec: vectorOf(i) }))).write(sink);
  assert.equal(
    result.returns.reduce((n, r) => n + r.inserted, 0),
    12,
  );
  assert.equal(new Set(milvus.rows(collection).map((r) => r.pk)).size, 12);
});
