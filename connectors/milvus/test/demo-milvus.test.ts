/**
 * The main demo (examples/index-pdfs.ts) in its Milvus mode: with MILVUS_URI at the stand-in it
 * creates the collection, upserts every chunk by id, and answers its query from Milvus; a
 * second run replaces the chunks instead of adding them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';

const demo = fileURLToPath(new URL('../../../../examples/dist/index-pdfs.js', import.meta.url));
let milvus: MilvusStandIn;
let out = '';
before(async () => {
  milvus = await MilvusStandIn.start();
  out = await mkdtemp(join(tmpdir(), 'sluice-demo-milvus-'));
});
after(async () => {
  await milvus.stop();
  await rm(out, { recursive: true, force: true });
});

async function runDemo(): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [demo], {
    env: { ...process.env, MILVUS_URI: milvus.uri, SLUICE_DEMO_OUT: out },
  });
  return stdout;
}

test('the demo upserts its chunks into Milvus and asks Milvus for the nearest; a rerun replaces them', async () => {
  const first = await runDemo();
  assert.match(first, /indexed 554 chunks in .*\nupserted them into Milvus collection 'sluice_demo_chunks'/);
  assert.equal(milvus.count('sluice_demo_chunks'), 554);
  const nearest = first.slice(first.indexOf('nearest chunks to')).split('\n').slice(1, 4);
  assert.equal(nearest.length, 3);
  assert.match(nearest[0], /^ {2}0\.745 {2}doc-005\.pdf p\.6 #1 {2}under the harbor/, 'the same nearest chunk as the Parquet run');
  await runDemo();
  assert.equal(milvus.count('sluice_demo_chunks'), 554, 'upserted by id: nothing doubled');
});
