/**
 * Credentials never show: a job that reads and writes s3:// paths with distinctive keys (given
 * as the `storage` option and through the AWS environment), and fails in every way it can, prints
 * its progress, explain, stats, events and errors in full; neither the secret key nor the session
 * token appears in anything it printed or in its error log.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runFixture } from './fixtures/executor-spawn.js';
import { tempDir } from './fixtures/io-read-helpers.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { SECRETS_JOB_ENV } from './fixtures/s3-secrets-env.js';

const SECRET = 'Sup3rS3cretValue-d41d8cd98f00b204';
const TOKEN = 'SessionTokenValue-9e107d9d372bb682';
const dir = tempDir('s3-secrets');
let s3: S3TestServer;

before(async () => {
  s3 = await startS3Server();
  await s3.bucket('secrets');
  await s3.upload('s3://secrets/bad/broken.jsonl', '{"id": 1}\n{not json\n');
  s3.addCredentials({ accessKeyId: 'DISTINCTIVEKEYID', secretAccessKey: SECRET });
});

after(() => s3.stop());

test('no secret key or session token in any output, error, event, stats, explain or error log line', async () => {
  const errorLog = join(dir, 'errors.jsonl');
  const { code, stdout, stderr } = await runFixture(
    's3-secrets-job.js',
    [],
    {
      [SECRETS_JOB_ENV.endpoint]: s3.endpoint,
      [SECRETS_JOB_ENV.accessKeyId]: 'DISTINCTIVEKEYID',
      [SECRETS_JOB_ENV.secretAccessKey]: SECRET,
      [SECRETS_JOB_ENV.sessionToken]: TOKEN,
      [SECRETS_JOB_ENV.errorLog]: errorLog,
    },
    120_000,
  );
  assert.equal(code, 0, stderr);
  // Every way to fail was taken, and said what it was.
  for (const expected of [
    /--- rows\n200/,
    /--- rows through the environment\n200/,
    /--- skipped rows\n1/,
    /--- missing key \(message\)\nFileReadError: ReadJson failed at file s3:\/\/secrets\/none\.jsonl/,
    /--- missing bucket \(message\)\n.*the bucket 'no-bucket' does not exist/,
    /--- unknown access key \(message\)\n.*access denied \(InvalidAccessKeyId\)/,
    /--- bad storage option \(message\)\nInvalidOptionError: option 'storage.credentials'/,
    /--- write failing mid-way \(message\)\nUdfError: MapBatches\(failOnRow\) failed/,
    /--- missing key through the environment \(message\)\nFileReadError/,
    /type: 'row-skipped'/,
  ]) {
    assert.match(stdout, expected);
  }
  const log = readFileSync(errorLog, 'utf8');
  assert.match(log, /s3:\/\/secrets\/bad\/broken\.jsonl/);
  assert.match(stderr, /ReadJson/, 'progress lines were printed');
  // The AWS SDK's warning about Node 20 is silenced (README, "Object storage").
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
  for (const [name, text] of [
    ['stdout', stdout],
    ['stderr', stderr],
    ['the error log', log],
  ]) {
    assert.ok(!text.includes(SECRET), `the secret key appears in ${name}`);
    assert.ok(!text.includes(TOKEN), `the session token appears in ${name}`);
  }
});
