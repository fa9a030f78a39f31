/**
 * milvusSink against the stand-in, and against a real Milvus when MILVUS_URI is set: rows
 * arrive exactly (counts, values, vectors) in requests gathered across batches, an upsert
 * rerun replaces instead of doubling, the
 * collection is created when asked, and rows that break the schema fail the write before
 * anything of their batch is sent, naming the row, its key and the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fromItems, WriteError } from 'sluice';
import { milvusSink, MilvusRequestError, MilvusSchemaError, type MilvusWriteReturn } from '../src/index.js';
import {
  collectionName,
  REAL_MILVUS_SKIPPED,
  REAL_MILVUS_URI,
  realTarget,
  standInTarget,
  type MilvusTarget,
} from './fixtures/milvus-target.js';
import { DIM, docRows, docSpec, vectorOf } from './fixtures/sink-rows.js';

function sum(returns: readonly MilvusWriteReturn[], key: keyof MilvusWriteReturn): number {
  return returns.reduce((total, r) => total + r[key], 0);
}

/** The MilvusSchemaError (or other cause) behind the WriteError a failed write rejects with. */
async function writeFailure(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => assert.fail('the write should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WriteError, `a WriteError, got ${String(error)}`);
  return error.cause as Error;
}

function sinkBehaviour(open: () => Promise<MilvusTarget | null>): void {
  let target: MilvusTarget;
  const made: string[] = [];
  before(async () => {
    target = (await open())!;
  });
  after(async () => {
    for (const name of made) await target.drop(name).catch(() => undefined);
    await target.close();
  });
  const newCollection = (prefix: string) => {
    const name = collectionName(prefix);
    made.push(name);
    return name;
  };
  const sinkFor = (collection: string, options: Partial<Parameters<typeof milvusSink>[0]> = {}) =>
    milvusSink({ uri: target.uri, token: target.token, collection, createCollection: docSpec(), ...options });

  test('writes every row once: counts, strings, numbers and vectors come back as written', async () => {
    const collection = newCollection('rows');
    const rows = docRows(1000);
    const sink = sinkFor(collection, { rowsPerWrite: 128 });
    const result = await fromItems(rows).write(sink);
    assert.equal(result.rows, 1000);
    assert.equal(result.returns.length, 8);
    assert.equal(sum(result.returns, 'upserted'), 1000);
    // The eight batches of 128 rows (about 75 KB in all) travel in one request of up to batchBytes.
    assert.deepEqual(sink.summary(), {
      ...sink.summary(),
      rows: 1000,
      upserted: 1000,
      inserted: 0,
      requests: 1,
      created: true,
      flushed: true,
    });
    assert.equal(await target.count(collection), 1000);
    const back = await target.query(collection, 'page >= 0');
    assert.equal(back.length, 1000);
    for (const row of back) {
      const i = Number(row.page);
      assert.equal(row.id, `doc-${i}`);
      assert.equal(row.text, `text of chunk ${i}`);
      assert.deepEqual(row.vec, Array.from(vectorOf(i)));
    }
  });

  test('an upsert rerun replaces rows by primary key instead of adding them again', async () => {
    const collection = newCollection('rerun');
    await fromItems(docRows(300)).write(sinkFor(collection));
    const second = await fromItems(docRows(300, (i) => `second run ${i}`)).write(sinkFor(collection));
    assert.equal(sum(second.returns, 'upserted'), 300);
    assert.equal(await target.count(collection), 300);
    const back = await target.query(collection, 'id in ["doc-0", "doc-299"]');
    assert.deepEqual(back.map((r) => r.text).sort(), ['second run 0', 'second run 299']);
  });

  test("mode 'insert' writes rows and says how many were inserted", async () => {
    const collection = newCollection('insert');
    const result = await fromItems(docRows(50)).write(sinkFor(collection, { mode: 'insert' }));
    assert.equal(sum(result.returns, 'inserted'), 50);
    assert.equal(sum(result.returns, 'upserted'), 0);
    assert.equal(await target.count(collection), 50);
  });

  test('a collection that does not exist, without createCollection, fails saying how to create it', async () => {
    const cause = await writeFailure(fromItems(docRows(3)).write(sinkFor(newCollection('absent'), { createCollection: undefined })));
    assert.ok(cause instanceof MilvusRequestError);
    assert.match(cause.message, /DescribeCollection on collection 'sluice_absent_\w+' failed: .*collection not found/i);
    assert.match(cause.message, /pass createCollection/);
  });

  const violations: { name: string; rows: () => object[]; field: string; problem: RegExp }[] = [
    {
      name: 'a vector of the wrong dimension',
      rows: () => docRows(20).map((r, i) => (i === 13 ? { ...r, vec: vectorOf(i, DIM + 1) } : r)),
      field: 'vec',
      problem: /row 13 of batch 0, primary key "doc-13".*the vector has 9 values, but the field's dim is 8/,
    },
    {
      name: 'a VarChar over max_length',
      rows: () => docRows(20).map((r, i) => (i === 7 ? { ...r, text: 'é'.repeat(40) } : r)),
      field: 'text',
      problem: /row 7 of batch 0, primary key "doc-7".*80 bytes long \(UTF-8\), over the field's max_length of 64/,
    },
    {
      name: 'a missing field',
      rows: () => docRows(20).map(({ id, page, vec }) => ({ id, page, vec })),
      field: 'text',
      problem: /the rows have no column 'text'.*add the column 'text' \(VarChar of at most 64 bytes\)/,
    },
    {
      name: 'a value of the wrong type',
      rows: () => docRows(20).map((r, i) => ({ ...r, page: i === 4 ? 'four' : String(i) })),
      field: 'page',
      problem:
        /row 0 of batch 0, primary key "doc-0".*the value is "0" \(a string\), but the field is Int64; convert the column to whole numbers/,
    },
    {
      name: 'a null in a field that is not nullable',
      rows: () => docRows(20).map((r, i) => (i === 5 ? { ...r, text: null } : r)),
      field: 'text',
      problem: /row 5 of batch 0, primary key "doc-5".*the value is null, and the field is neither nullable nor has a default value/,
    },
    {
      name: 'a column the collection has no field for',
      rows: () => docRows(20).map((r) => ({ ...r, path: 'a.pdf' })),
      field: 'path',
      problem: /column 'path' that the collection has no field for.*enableDynamicField/,
    },
  ];
  for (const violation of violations) {
    test(`${violation.name} fails the write before anything is sent, naming the row and the field`, async () => {
      const collection = newCollection('schema');
      const retries: unknown[] = [];
      const cause = await writeFailure(fromItems(violation.rows()).write(sinkFor(collection, { onRetry: (e) => retries.push(e) })));
      assert.ok(cause instanceof MilvusSchemaError, `a MilvusSchemaError, got ${cause.message}`);
      assert.equal(cause.field, violation.field);
      assert.match(cause.message, new RegExp(`collection '${collection}', field '${violation.field}'`));
      assert.match(cause.message, violation.problem);
      assert.deepEqual(retries, [], 'nothing retried');
      assert.equal(await target.count(collection), 0);
      if (target.standIn)
        assert.deepEqual(
          target.standIn.callsOf('Upsert').filter((c) => c.collection === collection),
          [],
        );
    });
  }
}

describe('milvusSink, against the Milvus stand-in', () => sinkBehaviour(() => standInTarget()));

describe('milvusSink, against a real Milvus (MILVUS_URI)', { skip: REAL_MILVUS_URI ? false : REAL_MILVUS_SKIPPED }, () =>
  sinkBehaviour(realTarget),
);
