/**
 * bulkImportMilvus in cluster mode: the upload of rows read from files runs on `sluice worker`
 * processes (a real redis-server on loopback, real S3 server, the Milvus stand-in), and the
 * import jobs from the driver; every row is imported once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJson } from 'sluice';
import type { S3TestServer } from '../../../dist/test/fixtures/s3-server.js';
import { bulkImportMilvus } from '../src/index.js';
import { recordedCalls, writeIdFiles } from './fixtures/id-files.js';
import { importFields } from './fixtures/import-rows.js';
import { IMPORT_CALLS_ENV, toImportRowUdf } from './fixtures/import-resume-udfs.js';
import { skipWithoutRedis, startRedisServer, startWorkers } from './fixtures/cluster-workers.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';

const { startS3Server } = (await import(
  new URL('../../../../dist/test/fixtures/s3-server.js', import.meta.url).href
)) as typeof import('../../../dist/test/fixtures/s3-server.js');

test(
  'in cluster mode the upload runs on the workers and the import jobs here: every row imported once',
  { skip: skipWithoutRedis },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-import-cluster-'));
    const s3: S3TestServer = await startS3Server();
    await s3.bucket('milvus-bucket');
    const milvus = await MilvusStandIn.start({
      objectStore: {
        endpoint: s3.endpoint,
        bucket: 'milvus-bucket',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      },
    });
    const redis = await startRedisServer();
    const calls = join(dir, 'calls.txt');
    const workers = await startWorkers(redis.url, 2, { [IMPORT_CALLS_ENV]: calls });
    try {
      milvus.createCollection('clustered', importFields);
      const input = writeIdFiles(dir, 12, 10);
      const result = await bulkImportMilvus(readJson<{ id: number }>(input).map(toImportRowUdf), {
        uri: milvus.uri,
        collection: 'clustered',
        runId: 'clustered-1',
        storage: { ...s3.storage, bucket: 'milvus-bucket', prefix: 'imports' },
        filesPerJob: 4,
        pollMs: 10,
        progress: 'off',
        cluster: redis.url,
      });
      assert.equal(result.rows, 120);
      assert.equal(result.files.length, 12, 'a file per partition');
      assert.equal(milvus.count('clustered'), 120);
      const mapped = recordedCalls(calls);
      assert.deepEqual(
        mapped.map(([id]) => id).sort((a, b) => a - b),
        Array.from({ length: 120 }, (_, i) => i),
      );
      // Mapped and uploaded by the two workers, not here.
      assert.deepEqual([...new Set(mapped.map(([, pid]) => pid))].sort(), [...workers.pids].sort());
    } finally {
      await workers.stop();
      await redis.stop();
      await milvus.stop();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
