/**
 * The dashboard's HTML: the live page the server serves at `/`, and the run report, one
 * self-contained file with uPlot, the page's script and the run's view inlined. Both are the same
 * shell; the script (client/dashboard-client.ts, compiled beside this file) fills it, following
 * the server when the page has no embedded view.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunView } from './client/run-view.js';

export type DashboardAssetName = 'uplot.js' | 'uplot.css' | 'dashboard.js';

export interface DashboardAsset {
  readonly body: string;
  readonly type: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const assets = new Map<DashboardAssetName, DashboardAsset>();

function readAsset(name: DashboardAssetName): DashboardAsset {
  if (name === 'dashboard.js') {
    const source = readFileSync(new URL('./client/dashboard-client.js', import.meta.url), 'utf8');
    // Served under another name and inlined in reports, the source map it points to is not there.
    return { body: source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), type: JS };
  }
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  return name === 'uplot.js'
    ? { body: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), type: JS }
    : { body: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'), type: CSS };
}

/** uPlot's IIFE build (it defines the global `uPlot`), its stylesheet, or the compiled page script; read once. */
export function dashboardAsset(name: DashboardAssetName): DashboardAsset {
  let asset = assets.get(name);
  if (asset === undefined) {
    asset = readAsset(name);
    assets.set(name, asset);
  }
  return asset;
}

/** The page the live server serves; its script reads the page's `?token=` and sends it with every request. */
export function livePageHtml(): string {
  // Relative URLs: the page works under whatever path the server mounts it.
  return shell(
    'sluice dashboard',
    '<link rel="stylesheet" href="assets/uplot.css">',
    '<script src="assets/uplot.js"></script>\n<script type="module" src="assets/dashboard.js"></script>',
  );
}

/** One HTML file that shows the run with no network: its view, uPlot and the page script inlined. */
export function reportHtml(view: RunView): string {
  return shell(
    `${view.title} · sluice report`,
    `<style>${dashboardAsset('uplot.css').body}</style>`,
    [
      `<script type="application/json" id="sluice-run">${jsonForScript(view)}</script>`,
      `<script>${scriptText(dashboardAsset('uplot.js').body)}</script>`,
      `<script type="module">${scriptText(dashboardAsset('dashboard.js').body)}</script>`,
    ].join('\n'),
  );
}

/**
 * JSON that cannot end its <script> element early or open an HTML comment inside it: '<', '>'
 * and '&' as \u escapes (JSON.parse reads them back), and U+2028/2029, which older JavaScript
 * parsers take for line ends, likewise.
 */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Script source safe to inline: '</script' would end the element and '<!--' changes how the
 * HTML parser finds its end. Both can only sit in strings, regular expressions, templates or
 * comments, where '\x3C' reads as the same '<'.
 */
function scriptText(source: string): string {
  return source.replace(/<(?=\/script|!--)/gi, '\\x3C');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shell(title: string, head: string, scripts: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
${head}
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <div class="title-row">
    <span class="brand">sluice</span>
    <h1 id="run-title">Waiting for a run…</h1>
    <span id="run-outcome" class="badge"></span>
    <span class="spacer"></span>
    <select id="run-select" aria-label="Run" hidden></select>
    <span id="connection" class="connection"></span>
  </div>
  <pre id="run-error" class="run-error" hidden></pre>
  <dl class="facts">
    <div><dt>Started</dt><dd id="run-started">—</dd></div>
    <div><dt>Elapsed</dt><dd id="run-elapsed">—</dd></div>
    <div><dt>Driver RSS</dt><dd id="run-rss">—</dd></div>
    <div><dt>Driver CPU</dt><dd id="run-cpu">—</dd></div>
    <div><dt>CPUs</dt><dd id="run-cpus">—</dd></div>
    <div><dt>Memory budget</dt><dd id="run-budget">—</dd></div>
    <div><dt>Held now</dt><dd id="run-held">—</dd></div>
  </dl>
</header>
<p id="waiting" class="waiting">No run yet: the dashboard shows a job as soon as it starts.</p>
<main id="run" hidden>
  <section>
    <h2>Plan</h2>
    <div id="plan-graph" class="plan-graph"></div>
  </section>
  <section>
    <h2>Operators</h2>
    <div class="scroll"><table id="operators" class="grid"></table></div>
  </section>
  <section>
    <h2>Over time</h2>
    <div class="charts">
      <figure class="wide"><figcaption>Rows/s per operator</figcaption><div id="chart-rate" class="chart"></div></figure>
      <figure><figcaption>Queued bytes per operator, and bytes held against the memory budget</figcaption><div id="chart-memory" class="chart"></div></figure>
      <figure><figcaption>Driver process: RSS and CPU (% of one core)</figcaption><div id="chart-driver" class="chart"></div></figure>
    </div>
  </section>
  <section>
    <h2>Stuck tasks <span id="stuck-count" class="count"></span></h2>
    <div class="scroll"><table id="stuck" class="grid"></table></div>
  </section>
  <section id="workers-section" hidden>
    <h2>Cluster workers</h2>
    <ul id="workers" class="workers"></ul>
  </section>
  <section>
    <h2>Log <span id="log-count" class="count"></span></h2>
    <div class="scroll log-scroll"><table id="log" class="grid"></table></div>
  </section>
</main>
${scripts}
</body>
</html>
`;
}

const STYLE = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --bg: #f6f8fa; --card: #fff; --blue: #0969da; --green: #1a7f37; --red: #cf222e; --amber: #9a6700; }
* { box-sizing: border-box; }
/* main and others get a display of their own below, which would otherwise override the hidden attribute. */
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.top { background: var(--card); border-bottom: 1px solid var(--line); padding: 12px 24px 10px; position: sticky; top: 0; z-index: 10; }
.title-row { display: flex; align-items: center; gap: 12px; min-width: 0; }
.brand { font-weight: 700; color: var(--blue); letter-spacing: .02em; }
h1 { font-size: 18px; margin: 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.spacer { flex: 1; }
select { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); max-width: 420px; }
.badge { font-size: 12px; font-weight: 600; padding: 2px 10px; border-radius: 999px; text-transform: uppercase; letter-spacing: .04em; }
.badge:empty { display: none; }
.badge.running { background: #ddf4ff; color: var(--blue); }
.badge.ok { background: #dafbe1; color: var(--green); }
.badge.failed { background: #ffebe9; color: var(--red); }
.badge.cancelled { background: #fff8c5; color: var(--amber); }
.connection { font-size: 12px; color: var(--muted); }
.connection::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--line); vertical-align: 0; }
.connection.live::before { background: var(--green); }
.connection.disconnected { color: var(--red); }
.connection.disconnected::before { background: var(--red); }
.connection.report::before { display: none; }
.run-error { margin: 10px 0 0; padding: 8px 12px; background: #ffebe9; border: 1px solid #ffcecb; border-radius: 6px; color: var(--red); white-space: pre-wrap; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 10px 0 0; }
.facts div { display: flex; flex-direction: column; }
.facts dt { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.waiting { margin: 48px 24px; color: var(--muted); }
main { padding: 16px 24px 40px; display: flex; flex-direction: column; gap: 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px 14px; min-width: 0; }
h2 { font-size: 13px; margin: 0 0 10px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.count { display: inline-block; min-width: 20px; padding: 0 6px; border-radius: 10px; background: var(--bg); text-align: center; color: var(--fg); }
.scroll { overflow-x: auto; }
.log-scroll { max-height: 420px; overflow-y: auto; }
.plan-graph { overflow-x: auto; }
.plan-graph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.plan-graph .op-box { fill: var(--card); stroke: var(--line); stroke-width: 1.5; }
.plan-graph .op.active .op-box { stroke: var(--blue); fill: #f5fbff; }
.plan-graph .op.done .op-box { stroke: #8fd19e; }
.plan-graph .op-name { font-size: 13px; font-weight: 600; fill: var(--fg); }
.plan-graph .op-details { font-size: 11.5px; fill: var(--muted); }
.plan-graph .op-stat { font-size: 11.5px; fill: var(--fg); font-variant-numeric: tabular-nums; }
.plan-graph .op-rows { font-weight: 600; }
.plan-graph .edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
.plan-graph .arrow-head { fill: #8c959f; }
table.grid { border-collapse: collapse; width: 100%; font-size: 13px; }
.grid th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
.grid td { padding: 6px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
.grid tr:last-child td { border-bottom: none; }
.grid .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.grid td.warn { color: var(--amber); font-weight: 600; }
.grid td.empty { color: var(--muted); }
.op-cell { min-width: 200px; max-width: 380px; }
.op-title { display: flex; align-items: baseline; gap: 8px; }
.op-label { overflow-wrap: anywhere; }
.swatch { flex: none; width: 10px; height: 10px; border-radius: 2px; }
.state { flex: none; font-size: 11px; padding: 0 6px; border-radius: 8px; background: var(--bg); color: var(--muted); }
.state.active { background: #ddf4ff; color: var(--blue); }
.state.done { background: #dafbe1; color: var(--green); }
#stuck tr.running td { background: #fff8c5; }
#stuck tr.finished td { color: var(--muted); }
#log .time { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
#log .where { color: var(--muted); word-break: break-all; max-width: 360px; }
#log .message { white-space: pre-wrap; word-break: break-word; }
.kind { font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 8px; background: var(--bg); white-space: nowrap; }
.kind.failed { background: #ffebe9; color: var(--red); }
.kind.stuck { background: #fff1e5; color: #bc4c00; }
.kind.retry, .kind.actor-restart, .kind.worker-replaced { background: #fff8c5; color: var(--amber); }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.charts figure { margin: 0; min-width: 0; }
.charts .wide { grid-column: 1 / -1; }
figcaption { font-size: 12px; color: var(--muted); margin-bottom: 4px; }
.chart { width: 100%; }
.chart .u-legend { font-size: 12px; text-align: left; }
.chart .u-legend .u-series th { font-weight: 400; }
@media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } }
.workers { margin: 0; padding-left: 18px; }
.workers .address { margin-left: 10px; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
`;
