/**
 * Import files in Milvus's Parquet format, read back by DuckDB: each field's type and bytes
 * (Float16/BFloat16 decoded by an independent decoder), the dynamic field, and the rows an
 * import file cannot carry, refused with the row and the field named.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getFloat16 } from '@petamoriken/float16';
import { fromItems } from 'sluice';
import { importEncoderUdf } from '../src/import/import-batch-udf.js';
import type { ImportSchema } from '../src/import/import-fields.js';
import { parquetRows } from './fixtures/import-file-rows.js';

let dir = '';
before(async () => (dir = await mkdtemp(join(tmpdir(), 'sluice-import-files-'))));
after(() => rm(dir, { recursive: true, force: true }));

const schema: ImportSchema = {
  collection: 'docs',
  primaryKey: 'id',
  dynamic: true,
  generated: ['summary_vector'],
  fields: [
    { name: 'id', type: 'Int64', nullable: false, hasDefault: false },
    { name: 'vector', type: 'FloatVector', dim: 8, nullable: false, hasDefault: false },
    { name: 'half', type: 'Float16Vector', dim: 4, nullable: false, hasDefault: false },
    { name: 'brain', type: 'BFloat16Vector', dim: 4, nullable: false, hasDefault: false },
    { name: 'bits', type: 'BinaryVector', dim: 16, nullable: false, hasDefault: false },
    { name: 'sparse', type: 'SparseFloatVector', nullable: false, hasDefault: false },
    { name: 'title', type: 'VarChar', nullable: false, hasDefault: false },
    { name: 'score', type: 'Float', nullable: true, hasDefault: false },
    { name: 'tags', type: 'Array', elementType: 'VarChar', nullable: false, hasDefault: false },
    { name: 'meta', type: 'JSON', nullable: false, hasDefault: false },
  ],
};

const row = (i: number) => ({
  id: i,
  vector: Float32Array.from({ length: 8 }, (_, j) => i + j / 8),
  half: Float32Array.from([i, -0.5, 0.1, 1000]),
  brain: Float32Array.from([i, -0.5, 0.1, 1000]),
  bits: Uint8Array.from([i, 255 - i]),
  sparse: { indices: [1, 7 + i], values: [0.5, 0.25] },
  title: `doc ${i}`,
  score: i % 2 === 0 ? null : i / 2,
  tags: ['a', `t${i}`],
  meta: { page: i, words: ['x', 'y'] },
  lang: i % 2 === 0 ? 'en' : 'de',
});

async function writeImportFiles(rows: object[], out: string) {
  return fromItems(rows).mapBatches(importEncoderUdf(schema), { batchFormat: 'arrow', name: 'ImportColumns' }).writeParquet(out);
}

test('every field has the type and bytes of Milvus import files', async () => {
  const out = join(dir, 'ok');
  const written = await writeImportFiles(
    Array.from({ length: 20 }, (_, i) => row(i)),
    out,
  );
  assert.equal(written.rows, 20);
  const { rows, types } = await parquetRows(join(out, '*.parquet'));
  assert.deepEqual(types, {
    id: 'BIGINT',
    vector: 'FLOAT[]',
    half: 'UTINYINT[]',
    brain: 'UTINYINT[]',
    bits: 'UTINYINT[]',
    sparse: 'VARCHAR',
    title: 'VARCHAR',
    score: 'FLOAT',
    tags: 'VARCHAR[]',
    meta: 'VARCHAR',
    $meta: 'VARCHAR',
  });
  assert.equal(rows.length, 20);
  for (const [i, r] of rows.entries()) {
    const expected = row(i);
    assert.equal(r.id, BigInt(i));
    assert.deepEqual(r.vector, [...expected.vector]);
    const half = new DataView(Uint8Array.from(r.half as number[]).buffer);
    assert.equal((r.half as number[]).length, 8, 'Float16Vector: 2 × dim bytes');
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => getFloat16(half, 2 * k, true)),
      [i, -0.5, 0.0999755859375, 1000],
    );
    const brain = new DataView(Uint8Array.from(r.brain as number[]).buffer);
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => new DataView(new Uint32Array([brain.getUint16(2 * k, true) << 16]).buffer).getFloat32(0, true)),
      [Math.fround(i), -0.5, 0.10009765625, 1000],
    );
    assert.deepEqual(r.bits, [i, 255 - i]);
    assert.deepEqual(JSON.parse(r.sparse as string), { indices: [1, 7 + i], values: [0.5, 0.25] });
    assert.equal(r.title, `doc ${i}`);
    assert.equal(r.score, expected.score);
    assert.deepEqual(r.tags, ['a', `t${i}`]);
    assert.deepEqual(JSON.parse(r.meta as string), { page: i, words: ['x', 'y'] });
    assert.deepEqual(JSON.parse(r.$meta as string), { lang: expected.lang });
  }
});

test('a nullable field may be left out; a required one may not', async () => {
  const without = (r: object, name: string) => Object.fromEntries(Object.entries(r).filter(([key]) => key !== name));
  const rows = Array.from({ length: 3 }, (_, i) => without(row(i), 'score'));
  const out = join(dir, 'no-score');
  await writeImportFiles(rows, out);
  assert.ok(!('score' in (await parquetRows(join(out, '*.parquet'))).types));
  const noTitle = rows.map((r) => without(r, 'title'));
  await assert.rejects(writeImportFiles(noTitle, join(dir, 'no-title')), /no column 'title' \(VarChar\), which the collection requires/);
});

test('rows an import file cannot carry are refused, naming the row, its key and the field', async () => {
  const cases: [string, object, RegExp][] = [
    [
      'short vector',
      { ...row(3), vector: new Float32Array(7) },
      /row 3 of its batch \(id 3\), field 'vector' \(FloatVector of dim 8\): the vector has 7 values/,
    ],
    ['generated column', { ...row(0), summary_vector: [1] }, /column 'summary_vector' is filled by Milvus/],
    ['wrong scalar', { ...row(1), title: 5 }, /row 0 of its batch \(id 0\), field 'title' \(VarChar\): cannot hold 0/],
    [
      'binary size',
      { ...row(2), bits: Uint8Array.from([1]) },
      /field 'bits' \(BinaryVector of dim 16\): the vector has 1 bytes; dim 16 bits is 2 bytes/,
    ],
  ];
  for (const [name, bad, message] of cases) {
    // A number title in every row: sluice keeps one type per column, so the whole column is numbers.
    const rows = [row(0), row(1), row(2), row(3)].map((r) =>
      r.id === (bad as { id: number }).id ? bad : name === 'wrong scalar' ? { ...r, title: r.id } : r,
    );
    await assert.rejects(writeImportFiles(rows, join(dir, name.replaceAll(' ', '-'))), message, name);
  }
});
