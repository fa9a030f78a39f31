/**
 * writeJson (JSON Lines) and writeCsv: read back by Node's own parsing and by DuckDB with
 * equal values; CSV fields with commas, quotes and line breaks survive; null and the empty
 * string stay apart.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { fromItems } from '../src/index.js';
import { duckdb, withTempDir } from './fixtures/io-write-helpers.js';

const TRICKY = ['plain', 'a, b', 'say "hi"', 'line 1\nline 2', 'crlf\r\nend', '', 'üñí ☃', ' padded '];

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: BigInt(i) + 9_007_199_254_740_993n, // beyond 2^53: must stay exact
    score: i / 3,
    text: i % 9 === 8 ? null : TRICKY[i % TRICKY.length],
    flag: i % 2 === 0,
    bytes: Uint8Array.from([i % 256, 1, 2]),
    vector: Float32Array.from([i, 0.5, -1.25]),
  }));
}

async function readAll(files: readonly string[]): Promise<string[]> {
  return Promise.all(files.map((f) => readFile(f, 'utf8')));
}

test('writeJson: JSON Lines that Node and DuckDB read back with equal values (int64 exact, binary as base64)', async () => {
  await withTempDir(async (dir) => {
    const input = rows(200);
    const result = await fromItems(input).writeJson(dir, { targetRowsPerFile: 64, cpus: 2 });
    assert.equal(result.files.length, 4);
    assert.ok(result.files.every((f) => f.endsWith('.jsonl')));
    const lines = (await readAll(result.files)).flatMap((text) => text.split('\n').filter(Boolean));
    assert.equal(lines.length, input.length);
    const parsed = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .sort((a, b) => (a.score as number) - (b.score as number));
    parsed.forEach((row, i) => {
      const expected = input[i];
      assert.deepEqual(Object.keys(row), ['id', 'score', 'text', 'flag', 'bytes', 'vector']);
      assert.equal(row.score, expected.score);
      assert.equal(row.text, expected.text);
      assert.equal(row.flag, expected.flag);
      assert.deepEqual(Buffer.from(row.bytes as string, 'base64'), Buffer.from(expected.bytes));
      assert.deepEqual(Float32Array.from(row.vector as number[]), expected.vector);
    });
    assert.ok(
      lines.some((line) => line.startsWith(`{"id":${input[0].id},`)),
      'int64 written as an exact integer literal',
    );

    const back = await duckdb(`SELECT id, text, flag FROM read_json('${dir}/*.jsonl', format = 'newline_delimited') ORDER BY id`);
    assert.equal(back.types.id, 'BIGINT');
    assert.deepEqual(
      back.rows,
      input.map((r) => ({ id: r.id, text: r.text, flag: r.flag })),
    );
  });
});

test('writeCsv: a header row and RFC 4180 quoting that csv-parse and DuckDB read back equal', async () => {
  await withTempDir(async (dir) => {
    const input = rows(120);
    const result = await fromItems(input).writeCsv(dir, { targetRowsPerFile: 50, cpus: 2 });
    assert.equal(result.files.length, 3);
    const texts = await readAll(result.files);
    assert.ok(
      texts.every((t) => t.startsWith('id,score,text,flag,bytes,vector\n')),
      'each file starts with the header',
    );

    const parsed = texts
      .flatMap((text) => parse<Record<string, string>>(text, { columns: true }))
      .sort((a, b) => Number(a.score) - Number(b.score));
    assert.equal(parsed.length, input.length);
    parsed.forEach((row, i) => {
      const expected = input[i];
      assert.equal(row.id, String(expected.id));
      assert.equal(Number(row.score), expected.score);
      assert.equal(row.text, expected.text ?? '', `text of row ${i}`);
      assert.equal(row.flag, String(expected.flag));
      assert.deepEqual(Buffer.from(row.bytes, 'base64'), Buffer.from(expected.bytes));
      assert.deepEqual(Float32Array.from(JSON.parse(row.vector) as number[]), expected.vector);
    });
    // A null is an empty field, an empty string a quoted one: readers can tell them apart.
    assert.ok(texts.join('').includes(',"",'), 'an empty string is written as ""');

    const back = await duckdb(
      `SELECT id, score, text, flag FROM read_csv('${dir}/*.csv', header = true, allow_quoted_nulls = false) ORDER BY id`,
    );
    assert.deepEqual(back.types, { id: 'BIGINT', score: 'DOUBLE', text: 'VARCHAR', flag: 'BOOLEAN' });
    assert.deepEqual(
      back.rows,
      input.map((r) => ({ id: r.id, score: r.score, text: r.text, flag: r.flag })),
    );
  });
});
