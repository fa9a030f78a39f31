/**
 * bulkImportMilvus in cluster mode: the upload of rows read from files runs on `sluice worker`
 * processes (a real redis-server on loopback, real S3 server, the Milvus stand-in), and the
 * import jobs from the driver; every row is imported once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readJson } from 'sluice';
import type { S3TestServer } from '../../../dist/test/fixtures/s3-server.js';
import { bulkImportMilvus } from '../src/index.js';
import { importFields } from './fixtures/import-rows.js';
import { IMPORT_CALLS_ENV, toImportRowUdf } from './fixtures/import-resume-udfs.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';

const core = (path: string) => new URL(`../../../../dist/${path}`, import.meta.url);
const { startS3Server } = (await import(
  core('test/fixtures/s3-server.js').href
)) as typeof import('../../../dist/test/fixtures/s3-server.js');
const { redisServerPath, startRedisServer } = (await import(
  core('test/fixtures/redis-server.js').href
)) as typeof import('../../../dist/test/fixtures/redis-server.js');
const CLI = fileURLToPath(core('src/cli.js'));
/** The checkout: workers find the lockfile there. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function startWorker(redis: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis, '--cpus', '1'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (data: Buffer) => {
      log += data.toString();
      if (/thread\(s\), queue/.test(log)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
}

test(
  'in cluster mode the upload runs on the workers and the import jobs here: every row imported once',
  { skip: redisServerPath === null ? 'redis-server is not installed (.ci/run installs it)' : false },
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
    const workers = await Promise.all([0, 1].map(() => startWorker(redis.url, { [IMPORT_CALLS_ENV]: calls })));
    try {
      milvus.createCollection('clustered', importFields);
      const input = join(dir, 'in');
      mkdirSync(input);
      for (let f = 0; f < 12; f++)
        writeFileSync(
          join(input, `part-${String(f).padStart(2, '0')}.jsonl`),
          Array.from({ length: 10 }, (_, r) => JSON.stringify({ id: f * 10 + r })).join('\n'),
        );
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
      const mapped = readFileSync(calls, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').map(Number));
      assert.deepEqual(
        mapped.map(([id]) => id).sort((a, b) => a - b),
        Array.from({ length: 120 }, (_, i) => i),
      );
      // Mapped and uploaded by the two workers, not here.
      assert.deepEqual([...new Set(mapped.map(([, pid]) => pid))].sort(), workers.map((w) => w.pid!).sort());
    } finally {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))));
      await redis.stop();
      await milvus.stop();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
