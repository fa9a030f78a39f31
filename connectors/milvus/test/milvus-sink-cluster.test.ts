/**
 * milvusSink in cluster mode: each `sluice worker` makes the sink from its `onWorkers` and
 * upserts the partitions it takes; the driver records them and flushes at the end. Every row is
 * in the collection once, mapped and written on the workers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJson } from 'sluice';
import { milvusSink } from '../src/index.js';
import { skipWithoutRedis, startRedisServer, startWorkers } from './fixtures/cluster-workers.js';
import { recordedCalls, writeIdFiles } from './fixtures/id-files.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';
import { vectorOf, docSpec } from './fixtures/sink-rows.js';
import { CALLS_ENV, toDocRowUdf } from './fixtures/sink-resume-udfs.js';

test(
  'in cluster mode each worker upserts the partitions it takes: every row once, none written here',
  { skip: skipWithoutRedis },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sink-cluster-'));
    const milvus = await MilvusStandIn.start();
    const redis = await startRedisServer();
    const calls = join(dir, 'calls.txt');
    const workers = await startWorkers(redis.url, 2, { [CALLS_ENV]: calls });
    try {
      const input = writeIdFiles(dir, 30, 4);
      const sink = milvusSink({ uri: milvus.uri, collection: 'clustered', createCollection: docSpec() });
      const result = await readJson<{ id: number }>(input)
        .map(toDocRowUdf)
        .write(sink, { runId: 'sink-cluster', runDir: join(dir, 'runs'), cluster: redis.url, progress: 'off' });
      assert.equal(result.rows, 120);
      assert.equal(milvus.count('clustered'), 120);
      for (const row of milvus.rows('clustered')) {
        const i = Number(String(row.id).slice(4));
        assert.deepEqual(row.vec, Array.from(vectorOf(i)));
      }
      assert.equal(sink.summary().flushed, true, 'the driver flushed the collection at the end');
      const mapped = recordedCalls(calls);
      assert.equal(mapped.length, 120);
      assert.deepEqual(
        [...new Set(mapped.map(([, pid]) => pid))].sort(),
        [...workers.pids].sort(),
        'mapped and written on the two workers',
      );
      assert.equal(sink.summary().rows, 0, 'no row written through the driver’s sink');
    } finally {
      await workers.stop();
      await redis.stop();
      await milvus.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
