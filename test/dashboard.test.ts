/**
 * The live dashboard and the run report, in a real browser: Debian's chromium driven by
 * puppeteer-core (.ci/run installs chromium; the test is skipped without one). A job with an
 * actor pool runs with `dashboard: true`; the page follows it live to its last row, names every
 * operator in its plan graph, and keeps working once the job has ended. The report of the same
 * run (`stats().toHtml()`) opens from a file, without a network. Screenshots go to
 * test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { configure, dashboardUrl, range, type DatasetStats } from '../src/index.js';
import { DASHBOARD_GATE_ENV, DASHBOARD_ROW_MS_ENV, embedUdf, paceRowUdf } from './fixtures/dashboard-udfs.js';
import { withTempDir } from './fixtures/temp-dir.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (path) => path !== undefined && path !== '' && existsSync(path),
);
const ROWS = 800;

function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM!,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** The text of the first element `selector` finds on the page ('' for none), read in the browser. */
async function textOf(page: Page, selector: string): Promise<string> {
  return String(await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`));
}

/** The rows-out counter of operator `id` as the page shows it. */
async function rowsOutOf(page: Page, id: number): Promise<number> {
  return Number(await textOf(page, `[data-testid="rows-out-${id}"]`));
}

/** A page expression (run in the browser): the rows-out counter of operator `id` shows `rows`. */
function rowsOutIs(id: number, rows: number): string {
  return `Number(document.querySelector('[data-testid="rows-out-${id}"]')?.textContent) === ${rows}`;
}

function planGraphText(page: Page): Promise<string> {
  return textOf(page, '#plan-graph');
}

test(
  'the live page follows a running job to its last row, names every operator, and keeps working after the job ends',
  { skip: CHROMIUM === undefined && 'no chromium (set CHROMIUM_PATH)' },
  () =>
    withTempDir('sluice-dashboard-', async (dir) => {
      mkdirSync(ARTIFACTS, { recursive: true });
      // The browser is up before the job starts: a cold start of chromium can take longer than the job.
      const browser = await launch();
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1400, height: 1000 });
        process.env[DASHBOARD_ROW_MS_ENV] = '4';
        const gate = join(dir, 'gate');
        process.env[DASHBOARD_GATE_ENV] = gate;
        configure({ dashboard: true, progress: 'off' });
        const writing = range(ROWS)
          .map(paceRowUdf)
          .mapBatches(embedUdf, { concurrency: 1, numCpus: 0.5, batchSize: 20 })
          .writeParquet(join(dir, 'out'));
        let url: string | null = null;
        while (url === null) {
          url = await dashboardUrl();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'on loopback, without a token');
        await page.goto(url);
        const plan = (await (await fetch(`${url}api/runs/1`)).json()) as { plan: { id: number; name: string }[] };
        const last = plan.plan.at(-1)!;
        // Live: the page follows the job while it is held at row DASHBOARD_GATE_FROM, then to its end.
        const mapped = plan.plan.find((node) => node.name === 'Map(paceRow)')!;
        await page.waitForFunction(`Number(document.querySelector('[data-testid="rows-out-${mapped.id}"]')?.textContent) > 0`, {
          timeout: 30_000,
        });
        const seenWhileRunning = await rowsOutOf(page, last.id);
        assert.match(await textOf(page, '#run-outcome'), /running/i);
        writeFileSync(gate, '');
        await page.waitForFunction(rowsOutIs(last.id, ROWS), { timeout: 60_000, polling: 100 });
        const written = await writing;
        assert.equal(written.rows, ROWS);
        assert.ok(seenWhileRunning < ROWS, `the page showed ${seenWhileRunning} rows out before the job ended`);
        const graph = await planGraphText(page);
        for (const op of written.stats.operators) assert.ok(graph.includes(op.name), `the plan graph names ${op.name}: ${graph}`);
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });

        // After the job: the page still answers and shows the run's end.
        await page.waitForFunction("document.querySelector('#run-outcome')?.textContent?.includes('ok')", { timeout: 10_000 });
        await page.reload();
        await page.waitForFunction(rowsOutIs(last.id, ROWS), { timeout: 10_000 });
        assert.ok((await planGraphText(page)).includes(last.name));

        await checkReport(browser, written.stats, last.id, dir);
      } finally {
        await browser.close();
      }
    }),
);

/** The run's report opens from a file with no network, and shows the same plan and counts. */
async function checkReport(browser: Browser, stats: DatasetStats, lastId: number, dir: string): Promise<void> {
  const file = join(dir, 'report.html');
  writeFileSync(file, stats.toHtml());
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.setRequestInterception(true);
  const requested: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requested.push(request.url());
    void request.continue();
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector(`[data-testid="rows-out-${lastId}"]`);
  assert.equal(await rowsOutOf(page, lastId), ROWS);
  const graph = await planGraphText(page);
  for (const op of stats.operators) assert.ok(graph.includes(op.name), `the report's plan graph names ${op.name}`);
  assert.deepEqual(requested, [], 'the report loads nothing from a network');
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
}
