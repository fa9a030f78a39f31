/**
 * The dashboard off loopback, and what it never shows. Bound to another host it wants the token
 * printed with its URL on every request; bad requests get 400/401/404/405 while the job runs on
 * unharmed; and a secret (an environment variable named like one, a value given to
 * registerSecret, a URL's password) quoted by a failing UDF appears neither on the page's JSON
 * and event stream, nor in the run's report, the job's events or its error log.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configure, dashboardUrl, range, registerSecret, type SluiceEvent } from '../src/index.js';
import { DASHBOARD_ROW_MS_ENV, leakSecretUdf, paceRowUdf, PLANTED_SECRET_ENV, REGISTERED_SECRET_ENV } from './fixtures/dashboard-udfs.js';
import { withTempDir } from './fixtures/temp-dir.js';

const SECRET = 'pl4nted-s3cret-v4lue';
const REGISTERED = 'a-setting-only-the-script-knows';

/** Reads `url`'s event stream for `ms`, as a browser's EventSource would. */
async function streamFor(url: string, ms: number): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
  })().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, ms));
  controller.abort();
  await reading;
  return text;
}

test('off loopback the dashboard needs its token; bad requests are refused and the job runs on; no secret is ever shown', () =>
  withTempDir('sluice-dashboard-', async (dir) => {
    process.env[PLANTED_SECRET_ENV] = SECRET;
    process.env[REGISTERED_SECRET_ENV] = REGISTERED;
    registerSecret(REGISTERED);
    process.env[DASHBOARD_ROW_MS_ENV] = '5';
    const events: SluiceEvent[] = [];
    const report = join(dir, 'report.html');
    const errorLog = join(dir, 'errors.jsonl');
    configure({ dashboard: { host: '0.0.0.0', port: 0 }, progress: 'off', report, errorLog, onEvent: (event) => events.push(event) });
    const job = range(300).map(paceRowUdf).map(leakSecretUdf, { onError: 'skip' }).count();
    let url: string | null = null;
    while (url === null) {
      url = await dashboardUrl();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const match = /^http:\/\/0\.0\.0\.0:(\d+)\/\?token=([0-9a-f]{32})$/.exec(url);
    assert.ok(match, `a token in the URL: ${url}`);
    const base = `http://127.0.0.1:${match[1]}`;
    const token = match[2];
    const status = async (path: string, init?: RequestInit) => (await fetch(`${base}${path}`, init)).status;

    assert.equal(await status('/'), 401, 'no token');
    assert.equal(await status('/?token=0123'), 401, 'a wrong token');
    assert.equal(await status(`/?token=${'0'.repeat(32)}`), 401, 'a wrong token of the right length');
    assert.equal(await status('/api/runs'), 401);
    assert.equal(await status('/api/events'), 401);
    assert.equal(await status(`/?token=${token}`), 200);
    assert.equal(await status('/assets/dashboard.js'), 200, "the page's code, which holds no run data, needs no token");
    assert.equal(await status(`/nowhere?token=${token}`), 404);
    assert.equal(await status(`/assets/../../package.json?token=${token}`), 404);
    assert.equal(await status('/assets/secrets.json'), 404);
    assert.equal(await status(`/api/runs/abc?token=${token}`), 404);
    assert.equal(await status(`/api/runs/99999?token=${token}`), 404);
    assert.equal(await status(`/api/runs/1?token=${token}&x=%zz%`), 200, 'a malformed query parameter is ignored');
    assert.equal(await status(`/api/runs?token=${token}`, { method: 'POST', body: 'x' }), 405);

    const stream = await streamFor(`${base}/api/events?token=${token}`, 1_500);
    assert.match(stream, /event: update/);
    assert.equal(await job, 300 - 12, 'the job ran on, skipping its failing rows');

    const served = [
      await (await fetch(`${base}/?token=${token}`)).text(),
      await (await fetch(`${base}/api/runs?token=${token}`)).text(),
      await (await fetch(`${base}/api/runs/1?token=${token}`)).text(),
      stream,
    ].join('\n');
    assert.match(
      served,
      /cannot reach redis:\/\/ingest:\*\*\*@db:6379 with token \*\*\*, key \*\*\*/,
      'the failing rows are logged, redacted',
    );
    const reported = readFileSync(report, 'utf8');
    const delivered = JSON.stringify(events.map((event) => ('message' in event ? event.message : '')));
    const logged = readFileSync(errorLog, 'utf8');
    assert.equal(logged.trim().split('\n').length, 12, 'the error log has a line per skipped row');
    for (const [where, text] of [
      ['served JSON and events stream', served],
      ['report', reported],
      ['events', delivered],
      ['error log', logged],
    ] as const) {
      assert.ok(!text.includes(SECRET), `the ${where} never show the secret`);
      assert.ok(!text.includes(REGISTERED), `the ${where} never show the registered secret`);
      assert.ok(!text.includes(token), `the ${where} never show the dashboard's token`);
    }
    assert.ok(events.some((event) => event.type === 'row-skipped' && event.message.includes('***')));
  }));

test('SLUICE_DASHBOARD=1 starts the dashboard on loopback for a script that sets nothing, its URL printed once', () => {
  const script = fileURLToPath(new URL('./fixtures/dashboard-env-job.js', import.meta.url));
  const run = spawnSync(process.execPath, [script], { env: { ...process.env, SLUICE_DASHBOARD: '1' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const url = run.stdout.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(run.stderr.split(`sluice: dashboard at ${url}`).length - 1, 1, run.stderr);
  const off = spawnSync(process.execPath, [script], { env: { ...process.env, SLUICE_DASHBOARD: '0' }, encoding: 'utf8' });
  assert.equal(off.stdout.trim(), 'null');
});
