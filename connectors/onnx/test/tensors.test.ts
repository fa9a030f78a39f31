import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Int32, RecordBatch, Schema, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { arrowVector, withColumns, type OutputColumn } from '../src/tensors.js';

/** Three record batches (2, 3 and 1 rows) of an id, a text and a score column, with schema metadata. */
function multiBatchTable(): Table {
  const texts = ['a', 'b', 'c', 'd', 'e', 'f'];
  const parts = [
    [0, 2],
    [2, 5],
    [5, 6],
  ].map(([from, to]) => {
    const ids = vectorFromArray(
      Array.from({ length: to - from }, (_, i) => from + i),
      new Int32(),
    );
    const text = vectorFromArray(texts.slice(from, to), new Utf8());
    const score = vectorFromArray(
      Array.from({ length: to - from }, (_, i) => -(from + i)),
      new Int32(),
    );
    return new Table({ id: ids, text, score }).batches[0];
  });
  const schema = new Schema(parts[0].schema.fields, new Map([['source', 'test']]));
  return new Table(
    schema,
    parts.map((part) => new RecordBatch(schema, part.data)),
  );
}

const outputs = (): Record<string, OutputColumn> => ({
  // A vector of 2 per row, and a number per row that replaces the batch's score column.
  embedding: { values: Float32Array.from({ length: 12 }, (_, i) => i / 2), width: 2 },
  score: { values: Int32Array.from({ length: 6 }, (_, i) => 10 * i), width: 0 },
});

/** What Arrow's own select and assign make of the same batch and outputs. */
function arrowReference(batch: Table, keep: readonly string[], columns: Record<string, OutputColumn>): Table {
  const added = new Table(Object.fromEntries(Object.entries(columns).map(([name, column]) => [name, arrowVector(column)])));
  return keep.length ? batch.select([...keep]).assign(added) : added;
}

/** Rows as plain values, a vector cell as an array. */
function rowsOf(table: Table): unknown[] {
  return table
    .toArray()
    .map((row: { toJSON(): Record<string, unknown> }) =>
      Object.fromEntries(
        Object.entries(row.toJSON()).map(([k, v]) => [
          k,
          ArrayBuffer.isView(v) || Array.isArray(v)
            ? [...(v as ArrayLike<unknown> & Iterable<unknown>)]
            : v && typeof v === 'object' && 'toArray' in v
              ? [...(v as { toArray(): Iterable<unknown> }).toArray()]
              : v,
        ]),
      ),
    );
}

test('withColumns builds what Arrow select+assign would, batch for batch, keeping the input columns as they are', () => {
  const batch = multiBatchTable();
  for (const keep of [true, ['text', 'score'], ['id'], false] as const) {
    const names = keep === true ? ['id', 'text', 'score'] : keep === false ? [] : keep;
    const got = withColumns(batch, outputs(), keep) as Table;
    const expected = arrowReference(batch, names, outputs());
    assert.deepEqual(
      got.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
      expected.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
      String(keep),
    );
    assert.deepEqual([...got.schema.metadata], [...expected.schema.metadata], String(keep));
    assert.deepEqual(rowsOf(got), rowsOf(expected), String(keep));
  }
  // Kept columns are the input's own data, batch for batch (the actor then sends them back as references).
  const kept = withColumns(batch, outputs(), true) as Table;
  assert.deepEqual(
    kept.batches.map((b) => b.numRows),
    [2, 3, 1],
  );
  for (const [b, result] of kept.batches.entries()) {
    assert.equal(result.data.children[0], batch.batches[b].data.children[0]);
    assert.equal(result.data.children[1], batch.batches[b].data.children[1]);
  }
  // Without input columns the outputs make one batch, each output its own whole buffer.
  const alone = withColumns(batch, outputs(), false) as Table;
  assert.equal(alone.batches.length, 1);
  assert.equal((alone.batches[0].data.children[0].children[0].values as Float32Array).byteLength, 12 * 4);
  // Results of one layout share a schema object.
  assert.equal((withColumns(batch, outputs(), true) as Table).schema, kept.schema);
});
