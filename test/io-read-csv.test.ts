/**
 * readCsv: a header row, quoted fields holding commas, line breaks and escaped quotes, type
 * inference per column, bad records by line, projection pushdown and an explicit schema.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { FileReadError, readCsv } from '../src/index.js';
import { operatorStats, readErrorLog, tempDir } from './fixtures/io-read-helpers.js';

const dir = tempDir('read-csv');
const quoted = join(dir, 'quoted.csv');
writeFileSync(
  quoted,
  '\uFEFFid,name,note,active,zip\r\n' +
    '1,"Smith, Ann","said ""hi""",true,02139\r\n' +
    '2,Bob,"two\nlines",false,\r\n' +
    '3,,plain,TRUE,N/A\r\n',
);

test('quoted fields with commas, line breaks and escaped quotes; numbers, booleans, empty → null and strings inferred per column', async () => {
  const rows = await readCsv(quoted).takeAll({ preserveOrder: true });
  assert.deepEqual(rows, [
    { id: 1, name: 'Smith, Ann', note: 'said "hi"', active: true, zip: '02139' },
    { id: 2, name: 'Bob', note: 'two\nlines', active: false, zip: null },
    { id: 3, name: null, note: 'plain', active: true, zip: 'N/A' },
  ]);
  assert.match(readCsv(quoted).explain(), /ReadCsv \[task pool, 1 CPU per task\]/);
});

test('selectColumns is pushed into the read (explain shows the columns) and the columns option keeps the order asked', async () => {
  const ds = readCsv<{ id: number; name: string; note: string }>(quoted).selectColumns(['note', 'id']);
  const optimized = ds.explain().split('-------- Logical Plan (Optimized) --------')[1];
  assert.match(optimized, /ReadCsv\(columns: note, id\)/);
  assert.doesNotMatch(optimized, /SelectColumns/);
  assert.deepEqual(await ds.take(1, { preserveOrder: true }), [{ note: 'said "hi"', id: 1 }]);
  const [row] = await readCsv(quoted, { columns: ['name', 'path', 'id'], includePaths: true }).take(1, { preserveOrder: true });
  assert.deepEqual(Object.entries(row), [
    ['name', 'Smith, Ann'],
    ['path', quoted],
    ['id', 1],
  ]);
});

test('a record with the wrong number of fields names the file and line; under skip it is logged and the rest is read', async () => {
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'a,b\n1,"x\ny"\n2\n3,z\n');
  await assert.rejects(readCsv(ragged).count(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.equal(error.input.path, ragged);
    assert.equal(error.input.line, 4);
    assert.match(error.message, /ReadCsv failed at file .*ragged\.csv, line 4.*: the record cannot be parsed/);
    return true;
  });
  const errorLog = join(dir, 'csv-errors.jsonl');
  const ds = readCsv(ragged, { onError: 'skip' });
  assert.deepEqual(await ds.takeAll({ errorLog, preserveOrder: true }), [
    { a: 1, b: 'x\ny' },
    { a: 3, b: 'z' },
  ]);
  const [logged] = readErrorLog(errorLog);
  assert.deepEqual([logged.operator, logged.input.path, logged.input.line], ['ReadCsv', ragged, 4]);
  assert.equal(operatorStats(await ds.stats(), 'ReadCsv').skippedRows, 1);
});

test('an explicit schema converts the columns it names; a value that does not fit is a bad record; a delimiter', async () => {
  const typed = join(dir, 'typed.tsv');
  writeFileSync(typed, 'id\tname\tdropped\n1\ta\tx\nseven\tb\ty\n3\t\tz\n');
  const schema = new Schema([new Field('id', new Int64(), true), new Field('name', new Utf8(), true)]);
  const errorLog = join(dir, 'typed-errors.jsonl');
  const rows = await readCsv<{ id: bigint; name: string | null }>(typed, { schema, delimiter: '\t', onError: 'skip' }).takeAll({
    errorLog,
    preserveOrder: true,
  });
  assert.deepEqual(rows, [
    { id: 1n, name: 'a' },
    { id: 3n, name: null },
  ]);
  const [logged] = readErrorLog(errorLog);
  assert.equal(logged.input.line, 3);
  assert.match(logged.message, /'seven' is not a whole number/);
});

test('a column the header lacks is an error naming the file and the header', async () => {
  await assert.rejects(
    readCsv(quoted, { columns: ['id', 'age'] }).count(),
    /ReadCsv\(columns: id, age\) failed at file .*quoted\.csv.*no column 'age' in the header; the columns are id, name, note, active, zip/,
  );
});
