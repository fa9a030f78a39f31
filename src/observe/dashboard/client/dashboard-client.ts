/**
 * The dashboard page's script, and the HTML report's: draws a run (header, plan graph, operator
 * table, charts, stuck tasks, log, cluster workers) from a RunView. With the view embedded in the
 * page (`#sluice-run`) it renders that once, with no network: the report. Otherwise it follows the
 * live server: the list of runs, the shown run's view, then its updates over Server-Sent Events.
 * The report inlines this file's compiled output, so it imports types only; uPlot is a global that
 * uPlot's own script, loaded before this module, defines.
 */
import type UPlot from 'uplot';
import type { LogEntry, OperatorSample, PlanNodeView, RunSample, RunSummary, RunUpdate, RunView, StuckTaskView } from './run-view.js';

declare const uPlot: typeof UPlot;

/** The table's and the graph's rows/s: over about this much of the latest time line. */
const RATE_WINDOW_MS = 5_000;
/**
 * The rows/s chart's points: each over at least this span, the consecutive sample's difference
 * once the time line is thinned that far. Over one 500 ms tick, operators that emit whole blocks
 * would swing between 0 and peaks.
 */
const CHART_RATE_SPAN_MS = 2_000;
/** As the server keeps them (observe/run-monitor.ts): past these, the page drops the oldest log entries and thins the time line. */
const LOG_LIMIT = 200;
const SAMPLE_LIMIT = 2_000;
/** Tableau 10: each operator keeps its color in the graph, the table and the charts. */
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const CHART_HEIGHT = 220;

type Connection = 'connecting' | 'live' | 'disconnected' | 'report';

/** The report's embedded view; the live page has none. */
const embedded = document.getElementById('sluice-run');
/** The live server wants its token on every request; the page's own URL carries it. */
const token = new URLSearchParams(location.search).get('token');

let connection: Connection = 'connecting';
let runs: RunSummary[] = [];
let run: RunView | null = null;
/** When the shown run's latest sample arrived (performance.now()), so elapsed time ticks between updates without trusting the browser's clock against the server's. */
let sampleArrivedAt = performance.now();
/** The run the user chose in the selector; null follows the newest run. */
let pickedJobId: number | null = null;
/** The run whose view is being fetched, and the updates for it that arrive meanwhile. */
let loadingJobId: number | null = null;
let pendingUpdates: RunUpdate[] = [];
let widgets: RunWidgets | null = null;
let frame = 0;

// ---------------------------------------------------------------------------------------------
// Formatting

function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatRate(value: number): string {
  return value < 10 ? value.toFixed(1) : formatCount(value);
}

/** 950ms, 12.3s, 4m 05s, 1h 02m 03s. */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m ${pad(s % 60)}s`;
}

/** An axis tick: 0s, 45s, 2m, 2m 05s, 1h 05m. */
function formatTick(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${+(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return String(+value.toFixed(1));
}

function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

// ---------------------------------------------------------------------------------------------
// DOM helpers: text goes in through textContent only.

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  // The page and this script ship together; a missing element is a bug in page-html.ts.
  if (element === null) throw new Error(`sluice dashboard: the page has no #${id}`);
  return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== '') element.className = className;
  if (text !== '') element.textContent = text;
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  parent: Element,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent.appendChild(element);
  return element;
}

function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Derived numbers

function latest(view: RunView): RunSample | undefined {
  return view.samples.at(-1);
}

function elapsedMs(view: RunView): number {
  if (view.endedAt !== null) return view.endedAt - view.startedAt;
  const t = latest(view)?.t ?? 0;
  // A run whose server has gone stops where its last sample left it.
  return connection === 'live' && view.outcome === 'running' ? t + performance.now() - sampleArrivedAt : t;
}

/**
 * Rows/s at sample i, from the latest sample at least spanMs before it (the run's start, with no
 * rows, when there is none).
 */
function rowsPerSecond(samples: readonly RunSample[], op: number, i: number, spanMs: number): number | null {
  const at = samples[i];
  let j = i - 1;
  while (j >= 0 && samples[j].t > at.t - spanMs) j--;
  const base = j < 0 ? { t: 0, rows: 0 } : { t: samples[j].t, rows: samples[j].operators[op].rowsOut };
  const dt = at.t - base.t;
  return dt > 0 ? ((at.operators[op].rowsOut - base.rows) * 1000) / dt : null;
}

/** An operator's rows/s now while the run runs; over the whole run once it has ended (a finished operator's recent rate is only ever 0). */
function operatorRate(view: RunView, op: number): number {
  const last = view.samples.length - 1;
  return last < 0 ? 0 : (rowsPerSecond(view.samples, op, last, view.endedAt === null ? RATE_WINDOW_MS : Infinity) ?? 0);
}

type OperatorState = 'done' | 'active' | 'idle';

function operatorState(sample: OperatorSample | undefined): OperatorState {
  if (sample?.done === true) return 'done';
  return sample !== undefined && sample.activeTasks > 0 ? 'active' : 'idle';
}

function colorOf(op: number): string {
  return COLORS[op % COLORS.length];
}

// ---------------------------------------------------------------------------------------------
// Plan graph: a layered DAG in SVG. Column = the longest path from a source; within a column,
// nodes sit in the order of their inputs' rows, so chains run straight and unions gather.

const BOX_WIDTH = 232;
const BOX_PAD = 12;
const COLUMN_GAP = 46;
const ROW_GAP = 22;
const MARGIN = 8;
const TITLE_LINE = 17;
const SMALL_LINE = 15;
/** Room for text in a box, beside its color bar. */
const TEXT_WIDTH = BOX_WIDTH - 2 * BOX_PAD - 4;

/** Measures text as the page's font draws it, to wrap SVG text (which never wraps itself). */
class TextMeasure {
  private readonly context = document.createElement('canvas').getContext('2d');

  constructor(private readonly font: string) {}

  width(text: string): number {
    if (this.context === null) return text.length * 8; // no 2D canvas: a wide glyph's guess
    this.context.font = this.font;
    return this.context.measureText(text).width;
  }

  /**
   * Wraps an operator's name or compute line: a fused step per line (breaking after each '->'),
   * then after ', ', '/' or '(' where a step is too wide, then anywhere. The lines concatenate
   * to the text exactly, so the <text> that holds them as <tspan>s reads as the full name.
   */
  wrap(text: string): string[] {
    const lines: string[] = [];
    for (const step of text.split(/(?<=->)/)) {
      let line = '';
      for (const token of step.split(/(?<=, |\/|\()/)) {
        if (this.width(line + token) <= TEXT_WIDTH) {
          line += token;
          continue;
        }
        if (line !== '') lines.push(line);
        line = '';
        for (const char of token) {
          if (line !== '' && this.width(line + char) > TEXT_WIDTH) {
            lines.push(line);
            line = '';
          }
          line += char;
        }
      }
      if (line !== '') lines.push(line);
    }
    return lines;
  }
}

function columnsOf(plan: readonly PlanNodeView[]): PlanNodeView[][] {
  const byId = new Map(plan.map((node) => [node.id, node]));
  const column = new Map<number, number>();
  const place = (node: PlanNodeView): number => {
    const known = column.get(node.id);
    if (known !== undefined) return known;
    // Set before recursing: a cycle, which a plan never has, ends here rather than overflowing the stack.
    column.set(node.id, 0);
    const inputs = node.inputs.map((id) => byId.get(id)).filter((input) => input !== undefined);
    const c = inputs.length === 0 ? 0 : 1 + Math.max(...inputs.map(place));
    column.set(node.id, c);
    return c;
  };
  const columns: PlanNodeView[][] = [];
  for (const node of plan) (columns[place(node)] ??= []).push(node);
  const row = new Map<number, number>();
  for (const nodes of columns) {
    const key = (node: PlanNodeView): number => {
      const rows = node.inputs.map((id) => row.get(id) ?? 0);
      return rows.length === 0 ? node.id : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    nodes.sort((a, b) => key(a) - key(b) || a.id - b.id);
    nodes.forEach((node, i) => row.set(node.id, i));
  }
  return columns;
}

interface GraphNode {
  readonly box: SVGGElement;
  readonly rows: SVGTSpanElement;
  readonly rate: SVGTextElement;
}

class PlanGraph {
  private readonly nodes = new Map<number, GraphNode>();

  constructor(container: HTMLElement, plan: readonly PlanNodeView[]) {
    container.replaceChildren();
    const columns = columnsOf(plan);
    // The fonts that the page's style sheet gives a node's name and its details (.op-name, .op-details).
    const family = getComputedStyle(container).fontFamily;
    const titleFont = new TextMeasure(`600 13px ${family}`);
    const smallFont = new TextMeasure(`11.5px ${family}`);
    const laid = new Map<number, { x: number; y: number; height: number; title: string[]; details: string[] }>();
    const columnHeights = columns.map((nodes, c) => {
      let y = 0;
      for (const node of nodes) {
        const title = titleFont.wrap(node.name);
        // Under the name: where it runs, and how many steps were fused into it.
        const details = [...smallFont.wrap(node.compute), ...(node.steps.length > 1 ? [`${node.steps.length} steps fused`] : [])];
        const height = 2 * BOX_PAD + title.length * TITLE_LINE + 4 + details.length * SMALL_LINE + 8 + 2 * SMALL_LINE;
        laid.set(node.id, { x: MARGIN + c * (BOX_WIDTH + COLUMN_GAP), y, height, title, details });
        y += height + ROW_GAP;
      }
      return y - ROW_GAP;
    });
    const height = Math.max(...columnHeights) + 2 * MARGIN;
    const width = 2 * MARGIN + columns.length * BOX_WIDTH + (columns.length - 1) * COLUMN_GAP;
    // Center each column on the tallest one: a union sits between its inputs.
    columns.forEach((nodes, c) => {
      for (const node of nodes) {
        const box = laid.get(node.id);
        if (box !== undefined) box.y += MARGIN + (height - 2 * MARGIN - columnHeights[c]) / 2;
      }
    });

    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, role: 'img', 'aria-label': 'Physical plan' }, container);
    const marker = svg(
      'marker',
      { id: 'sluice-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      svg('defs', {}, root),
    );
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }, marker);

    for (const node of plan) {
      const to = laid.get(node.id);
      for (const input of node.inputs) {
        const from = laid.get(input);
        if (to === undefined || from === undefined) continue;
        const x1 = from.x + BOX_WIDTH;
        const y1 = from.y + from.height / 2;
        const x2 = to.x - 2;
        const y2 = to.y + to.height / 2;
        const bend = (x2 - x1) / 2;
        svg(
          'path',
          { class: 'edge', d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, 'marker-end': 'url(#sluice-arrow)' },
          root,
        );
      }
    }

    for (const node of plan) {
      const at = laid.get(node.id);
      if (at === undefined) continue;
      const box = svg('g', { class: 'op idle', transform: `translate(${at.x},${at.y})`, 'data-op-id': node.id }, root);
      svg('title', {}, box).textContent = `${node.name}\n${node.compute}`;
      svg('rect', { class: 'op-box', width: BOX_WIDTH, height: at.height, rx: 7 }, box);
      svg('rect', { x: 3, y: 3, width: 4, height: at.height - 6, rx: 2, fill: colorOf(node.id) }, box);
      let y = BOX_PAD + 12;
      const name = svg('text', { class: 'op-name', x: BOX_PAD + 4, y }, box);
      at.title.forEach((line, i) => {
        const tspan = svg('tspan', { x: BOX_PAD + 4, dy: i === 0 ? 0 : TITLE_LINE }, name);
        tspan.textContent = line;
      });
      y += (at.title.length - 1) * TITLE_LINE + 4 + SMALL_LINE;
      const details = svg('text', { class: 'op-details', x: BOX_PAD + 4, y }, box);
      at.details.forEach((line, i) => {
        const tspan = svg('tspan', { x: BOX_PAD + 4, dy: i === 0 ? 0 : SMALL_LINE }, details);
        tspan.textContent = line;
      });
      y += (at.details.length - 1) * SMALL_LINE + 8 + SMALL_LINE;
      const rowsLine = svg('text', { class: 'op-stat', x: BOX_PAD + 4, y }, box);
      const rows = svg('tspan', { class: 'op-rows' }, rowsLine);
      svg('tspan', {}, rowsLine).textContent = ' rows out';
      const rate = svg('text', { class: 'op-stat', x: BOX_PAD + 4, y: y + SMALL_LINE }, box);
      this.nodes.set(node.id, { box, rows, rate });
    }
  }

  update(view: RunView): void {
    const last = latest(view);
    for (const [id, node] of this.nodes) {
      const sample = last?.operators[id];
      const state = operatorState(sample);
      node.box.setAttribute('class', `op ${state}`);
      setText(node.rows, formatCount(sample?.rowsOut ?? 0));
      const activity = state === 'done' ? 'done' : `${sample?.activeTasks ?? 0} active`;
      setText(node.rate, `${formatRate(operatorRate(view, id))} rows/s${view.endedAt === null ? '' : ' avg'} · ${activity}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operator table

const OPERATOR_COLUMNS: readonly (readonly [heading: string, title: string])[] = [
  ['Operator', ''],
  ['Rows in', ''],
  ['Rows out', ''],
  ['Rows/s', ''],
  ['Files out', 'Files written'],
  ['Queued', 'Blocks waiting in its output queue'],
  ['Queued bytes', 'Bytes waiting in its output queue, and their share of the memory budget'],
  ['Active', 'Tasks or actor calls dispatched and not finished'],
  ['Actors', 'Live actors, the share with a call in flight, and their GPUs'],
  ['Backpressure', 'Time its producers waited for room downstream'],
  ['Tasks', ''],
  ['Retries', ''],
  ['Skipped', 'Rows skipped (see the log)'],
];

class OperatorTable {
  private readonly rows = new Map<number, { state: HTMLElement; cells: HTMLTableCellElement[] }>();
  private readonly rateHeading: HTMLTableCellElement;

  constructor(
    table: HTMLTableElement,
    private readonly plan: readonly PlanNodeView[],
  ) {
    table.replaceChildren();
    const headings = table.createTHead().insertRow();
    const ths = OPERATOR_COLUMNS.map(([heading, title], i) => {
      const th = el('th', i === 0 ? '' : 'num', heading);
      if (title !== '') th.title = title;
      headings.appendChild(th);
      return th;
    });
    this.rateHeading = ths[3];
    const body = table.createTBody();
    for (const node of plan) {
      const tr = body.insertRow();
      tr.dataset.opId = String(node.id);
      const nameCell = tr.insertCell();
      nameCell.className = 'op-cell';
      const swatch = el('span', 'swatch');
      swatch.style.background = colorOf(node.id);
      const state = el('span', 'state');
      const label = el('span', 'op-label');
      // A fused operator's name breaks between its steps first.
      node.name.split(/(?<=->)/).forEach((step, i) => label.append(...(i === 0 ? [] : [el('wbr')]), step));
      const name = el('div', 'op-title');
      name.append(swatch, label, state);
      nameCell.appendChild(name);
      nameCell.title = node.compute;
      const cells = OPERATOR_COLUMNS.slice(1).map(() => {
        const td = tr.insertCell();
        td.className = 'num';
        return td;
      });
      cells[1].dataset.testid = `rows-out-${node.id}`;
      this.rows.set(node.id, { state, cells });
    }
  }

  update(view: RunView): void {
    const ended = view.endedAt !== null;
    setText(this.rateHeading, ended ? 'Rows/s avg' : 'Rows/s');
    this.rateHeading.title = ended ? 'Average over the run' : `Over the last ${RATE_WINDOW_MS / 1000} s`;
    const last = latest(view);
    for (const node of this.plan) {
      const row = this.rows.get(node.id);
      if (row === undefined) continue;
      const s = last?.operators[node.id];
      const state = operatorState(s);
      row.state.className = `state ${state}`;
      setText(row.state, state);
      const gpus = [...new Set(view.actors.filter((a) => a.operator === node.name).flatMap((a) => a.gpuIds))].sort((a, b) => a - b);
      const budgetShare = s !== undefined && view.memoryBudget > 0 ? ` (${Math.round((s.queuedBytes / view.memoryBudget) * 100)}%)` : '';
      const values = [
        String(s?.rowsIn ?? 0),
        String(s?.rowsOut ?? 0),
        formatRate(operatorRate(view, node.id)),
        s?.filesOut == null ? '—' : String(s.filesOut),
        String(s?.queuedBlocks ?? 0),
        `${formatBytes(s?.queuedBytes ?? 0)}${budgetShare}`,
        String(s?.activeTasks ?? 0),
        s == null || s.actors === null
          ? '—'
          : `${s.actors}${s.actors > 0 ? ` · ${Math.round(((s.busyActors ?? 0) / s.actors) * 100)}% busy` : ''}${gpus.length > 0 ? ` · GPU ${gpus.join(', ')}` : ''}`,
        formatDuration(s?.backpressureMs ?? 0),
        String(s?.tasks ?? 0),
        String(s?.retries ?? 0),
        String(s?.skippedRows ?? 0),
      ];
      values.forEach((value, i) => setText(row.cells[i], value));
      // Retries and skipped rows stand out once there are any.
      row.cells[10].classList.toggle('warn', (s?.retries ?? 0) > 0);
      row.cells[11].classList.toggle('warn', (s?.skippedRows ?? 0) > 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Charts (uPlot). X is seconds since the run started.

interface Chart {
  readonly plot: UPlot;
  readonly container: HTMLElement;
  readonly data: (view: RunView) => UPlot.AlignedData;
}

const secondsAxis: UPlot.Axis = {
  // Ticks on whole seconds and minutes, as a clock would; uPlot's default steps fall on fractions like 0.25 s.
  incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400],
  values: (_u, splits) => splits.map(formatTick),
  space: 64,
};
const bytesValue = (_u: UPlot, v: number | null): string => (v === null ? '—' : formatBytes(v));
/** Rates and queue sizes read against zero, not against their own minimum. */
const fromZero: UPlot.Scales = { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } };

function makeChart(
  container: HTMLElement,
  series: UPlot.Series[],
  axes: UPlot.Axis[],
  scales: UPlot.Scales,
  data: Chart['data'],
  view: RunView,
): Chart {
  container.replaceChildren();
  const plot = new uPlot(
    {
      width: Math.max(container.clientWidth, 300),
      height: CHART_HEIGHT,
      series: [{ label: 'time', value: (_u, v: number | null) => (v === null ? '—' : formatDuration(v * 1000)) }, ...series],
      axes: [secondsAxis, ...axes],
      scales: { x: { time: false }, ...scales },
      // Hovering one chart shows the same moment in the others.
      cursor: { sync: { key: 'sluice' } },
    },
    data(view),
    container,
  );
  return { plot, container, data };
}

function seconds(view: RunView): number[] {
  return view.samples.map((s) => s.t / 1000);
}

function makeCharts(view: RunView): Chart[] {
  const operatorSeries = (value: UPlot.Series['value']): UPlot.Series[] =>
    view.plan.map((node) => ({ label: node.name, stroke: colorOf(node.id), width: 1.5, value }));
  const rates = makeChart(
    byId('chart-rate'),
    operatorSeries((_u, v: number | null) => (v === null ? '—' : formatRate(v))),
    [{ values: (_u, splits) => splits.map(formatCompact), size: 56 }],
    fromZero,
    (v) => [seconds(v), ...v.plan.map((node) => v.samples.map((_s, i) => rowsPerSecond(v.samples, node.id, i, CHART_RATE_SPAN_MS)))],
    view,
  );
  const memory = makeChart(
    byId('chart-memory'),
    [
      ...operatorSeries(bytesValue),
      // The budget is in the header: drawn here, it would flatten queues of a few MiB against a GiB.
      { label: 'held', stroke: '#2b2f36', width: 2, value: bytesValue },
    ],
    [{ values: (_u, splits) => splits.map(formatBytes), size: 76 }],
    fromZero,
    (v) => [seconds(v), ...v.plan.map((node) => v.samples.map((s) => s.operators[node.id].queuedBytes)), v.samples.map((s) => s.heldBytes)],
    view,
  );
  const driver = makeChart(
    byId('chart-driver'),
    [
      { label: 'RSS', stroke: '#4e79a7', width: 2, scale: 'bytes', value: bytesValue },
      {
        label: 'CPU',
        stroke: '#e15759',
        width: 1.5,
        scale: '%',
        value: (_u, v: number | null) => (v === null ? '—' : `${Math.round(v)}%`),
      },
    ],
    [
      { scale: 'bytes', values: (_u, splits) => splits.map(formatBytes), size: 76 },
      { scale: '%', side: 1, values: (_u, splits) => splits.map((v) => `${v}%`), grid: { show: false }, size: 52 },
    ],
    { '%': { range: (_u, _min, max) => [0, Math.max(100, max)] } },
    (v) => [seconds(v), v.samples.map((s) => s.rssBytes), v.samples.map((s) => s.cpuPercent)],
    view,
  );
  return [rates, memory, driver];
}

// Charts follow their containers' width, whether the window or the layout changed it.
const resizer = new ResizeObserver(() => {
  for (const chart of widgets?.charts ?? []) {
    const width = Math.max(chart.container.clientWidth, 300);
    if (width !== chart.plot.width) chart.plot.setSize({ width, height: CHART_HEIGHT });
  }
});

// ---------------------------------------------------------------------------------------------
// The shown run's parts, built once per run and updated in place (hover, selection and the
// charts' state survive updates).

interface RunWidgets {
  readonly jobId: number;
  readonly graph: PlanGraph;
  readonly table: OperatorTable;
  readonly charts: Chart[];
  /**
   * What the charts, log, stuck tasks and workers last drew (null: not yet), each redrawn only
   * when its part changed. Every update brings new stuck and worker lists, mostly equal to the
   * last ones: those compare as JSON.
   */
  drawn: {
    samples: readonly RunSample[];
    log: readonly LogEntry[] | null;
    stuck: string | null;
    workers: string | null;
  };
  /** The stuck tasks' "running for" cells, which tick between redraws. */
  runningFor: readonly { readonly cell: HTMLTableCellElement; readonly since: number }[];
}

function buildWidgets(view: RunView): RunWidgets {
  for (const chart of widgets?.charts ?? []) {
    resizer.unobserve(chart.container);
    chart.plot.destroy();
  }
  const charts = makeCharts(view);
  for (const chart of charts) resizer.observe(chart.container);
  return {
    jobId: view.jobId,
    graph: new PlanGraph(byId('plan-graph'), view.plan),
    table: new OperatorTable(byId('operators'), view.plan),
    charts,
    drawn: { samples: view.samples, log: null, stuck: null, workers: null },
    runningFor: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function setConnection(now: Connection): void {
  connection = now;
  const element = byId('connection');
  element.className = `connection ${connection}`;
  setText(element, connection === 'connecting' ? 'connecting…' : connection);
}

function renderHeader(view: RunView): void {
  setText(byId('run-title'), view.title);
  const badge = byId('run-outcome');
  badge.className = `badge ${view.outcome}`;
  setText(badge, view.outcome);
  const error = byId('run-error');
  error.hidden = view.error === null;
  setText(error, view.error ?? '');
  const last = latest(view);
  setText(byId('run-started'), `${new Date(view.startedAt).toLocaleDateString()} ${formatClock(view.startedAt)}`);
  setText(byId('run-elapsed'), formatDuration(elapsedMs(view)));
  setText(byId('run-rss'), last === undefined ? '—' : formatBytes(last.rssBytes));
  setText(byId('run-cpu'), last === undefined ? '—' : `${Math.round(last.cpuPercent)}%`);
  setText(byId('run-cpus'), String(view.cpus));
  setText(byId('run-budget'), formatBytes(view.memoryBudget));
  const share = view.memoryBudget > 0 && last !== undefined ? ` (${Math.round((last.heldBytes / view.memoryBudget) * 100)}%)` : '';
  setText(byId('run-held'), last === undefined ? '—' : `${formatBytes(last.heldBytes)}${share}`);
  document.title = `${view.title} · ${view.outcome} · sluice`;
}

function renderStuck(view: RunView): RunWidgets['runningFor'] {
  const table = byId<HTMLTableElement>('stuck');
  table.replaceChildren();
  byId('stuck-count').textContent = String(view.stuck.filter((s) => s.running).length);
  if (view.stuck.length === 0) {
    table
      .createTBody()
      .insertRow()
      .appendChild(el('td', 'empty', 'No stuck tasks.'));
    return [];
  }
  const head = table.createTHead().insertRow();
  for (const heading of ['Operator', 'Task', 'Attempt', 'Input', 'Thread', 'Started', 'Running for'])
    head.appendChild(el('th', '', heading));
  const body = table.createTBody();
  const runningFor: { cell: HTMLTableCellElement; since: number }[] = [];
  const byRunning = (a: StuckTaskView, b: StuckTaskView): number => Number(b.running) - Number(a.running) || a.since - b.since;
  for (const stuck of [...view.stuck].sort(byRunning)) {
    const tr = body.insertRow();
    tr.className = stuck.running ? 'running' : 'finished';
    for (const text of [
      stuck.operator,
      String(stuck.taskIndex),
      String(stuck.attempt),
      stuck.input,
      stuck.thread,
      formatClock(stuck.since),
    ]) {
      tr.insertCell().textContent = text;
    }
    const cell = tr.insertCell();
    cell.textContent = 'finished';
    if (stuck.running) runningFor.push({ cell, since: stuck.since });
  }
  return runningFor;
}

function renderLog(view: RunView): void {
  const table = byId<HTMLTableElement>('log');
  table.replaceChildren();
  byId('log-count').textContent = String(view.log.length);
  if (view.log.length === 0) {
    table
      .createTBody()
      .insertRow()
      .appendChild(el('td', 'empty', 'Nothing to report: no retries, skips, restarts or failures.'));
    return;
  }
  const head = table.createTHead().insertRow();
  for (const heading of ['Time', 'Kind', 'Operator', 'Where', 'Message']) head.appendChild(el('th', '', heading));
  const body = table.createTBody();
  for (let i = view.log.length - 1; i >= 0; i--) {
    const entry = view.log[i];
    const tr = body.insertRow();
    const time = tr.insertCell();
    time.className = 'time';
    time.textContent = formatClock(entry.time);
    time.title = `+${formatDuration(Math.max(0, entry.time - view.startedAt))} into the run`;
    tr.insertCell().appendChild(el('span', `kind ${entry.kind}`, entry.kind));
    tr.insertCell().textContent = entry.operator;
    const where = tr.insertCell();
    where.className = 'where';
    where.textContent = [entry.path, entry.location].filter((part) => part !== undefined && part !== '').join(' · ');
    const message = tr.insertCell();
    message.className = 'message';
    message.textContent = entry.message;
  }
}

function renderWorkers(view: RunView): void {
  const section = byId('workers-section');
  section.hidden = view.workers === null;
  if (view.workers === null) return;
  const list = byId('workers');
  list.replaceChildren();
  if (view.workers.length === 0) list.appendChild(el('li', 'empty', 'No worker connected.'));
  for (const worker of view.workers) {
    const item = el('li', '', worker.name);
    item.appendChild(el('span', 'address', worker.address));
    list.appendChild(item);
  }
}

function render(): void {
  byId('waiting').hidden = run !== null;
  byId('run').hidden = run === null;
  if (run === null) return;
  if (widgets?.jobId !== run.jobId) widgets = buildWidgets(run);
  renderHeader(run);
  widgets.graph.update(run);
  widgets.table.update(run);
  const drawn = widgets.drawn;
  if (drawn.samples !== run.samples) {
    drawn.samples = run.samples;
    for (const chart of widgets.charts) chart.plot.setData(chart.data(run));
  }
  const stuck = JSON.stringify(run.stuck);
  if (drawn.stuck !== stuck) {
    drawn.stuck = stuck;
    widgets.runningFor = renderStuck(run);
  }
  // The server's clock, estimated from the run's own elapsed time.
  const now = run.startedAt + elapsedMs(run);
  for (const { cell, since } of widgets.runningFor) setText(cell, formatDuration(now - since));
  if (drawn.log !== run.log) {
    drawn.log = run.log;
    renderLog(run);
  }
  const workers = JSON.stringify(run.workers);
  if (drawn.workers !== workers) {
    drawn.workers = workers;
    renderWorkers(run);
  }
}

/** At most one render a frame, however fast updates come. */
function scheduleRender(): void {
  if (frame === 0) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Live mode

function withToken(path: string): string {
  return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(withToken(path), { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function newestJobId(): number | undefined {
  return runs.length === 0 ? undefined : Math.max(...runs.map((r) => r.jobId));
}

function renderRunSelect(): void {
  const select = byId<HTMLSelectElement>('run-select');
  select.hidden = runs.length === 0;
  select.replaceChildren(
    ...[...runs]
      .sort((a, b) => b.jobId - a.jobId)
      .map((r) => {
        const option = el('option', '', `#${r.jobId} ${r.title} · ${r.outcome} · ${formatClock(r.startedAt)}`);
        option.value = String(r.jobId);
        return option;
      }),
  );
  const shown = loadingJobId ?? run?.jobId;
  if (shown !== undefined) select.value = String(shown);
}

/** Appends an update to the view; one older than the view's latest sample is already in it. */
function applyUpdate(view: RunView, update: RunUpdate): RunView {
  const last = latest(view);
  if (last !== undefined && update.sample.t <= last.t) return view;
  let samples = [...view.samples, update.sample];
  // Every other sample goes, the latest kept, as the server thins its own time line.
  if (samples.length > SAMPLE_LIMIT) samples = samples.filter((_s, i) => (samples.length - 1 - i) % 2 === 0);
  return {
    ...view,
    samples,
    log: update.log.length === 0 ? view.log : [...view.log, ...update.log].slice(-LOG_LIMIT),
    stuck: update.stuck,
    actors: update.actors,
    workers: update.workers,
    endedAt: update.endedAt,
    outcome: update.outcome,
    error: update.error,
  };
}

async function show(jobId: number): Promise<void> {
  loadingJobId = jobId;
  pendingUpdates = [];
  renderRunSelect();
  try {
    let view = await getJson<RunView>(`api/runs/${jobId}`);
    // A later choice (or a newer run) superseded this one while it loaded.
    if (loadingJobId !== jobId) return;
    for (const update of pendingUpdates) view = applyUpdate(view, update);
    run = view;
    sampleArrivedAt = performance.now();
  } finally {
    if (loadingJobId === jobId) {
      loadingJobId = null;
      pendingUpdates = [];
      // On failure too: the selector goes back to the run still shown.
      renderRunSelect();
    }
  }
  scheduleRender();
}

/** Loads the list of runs and the one to show: at start, and again when the connection comes back. */
async function sync(): Promise<void> {
  runs = await getJson<RunSummary[]>('api/runs');
  renderRunSelect();
  const target = pickedJobId !== null && runs.some((r) => r.jobId === pickedJobId) ? pickedJobId : newestJobId();
  if (target !== undefined) await show(target);
  else scheduleRender();
}

function onRun(summary: RunSummary): void {
  const known = runs.some((r) => r.jobId === summary.jobId);
  runs = known ? runs.map((r) => (r.jobId === summary.jobId ? summary : r)) : [...runs, summary];
  renderRunSelect();
  if (!known && pickedJobId === null && summary.jobId === newestJobId()) void show(summary.jobId).catch(onFailure);
}

function onUpdate(update: RunUpdate): void {
  runs = runs.map((r) => (r.jobId === update.jobId ? { ...r, endedAt: update.endedAt, outcome: update.outcome } : r));
  if (update.jobId === loadingJobId) {
    pendingUpdates.push(update);
  } else if (run !== null && update.jobId === run.jobId) {
    const before = run.outcome;
    run = applyUpdate(run, update);
    sampleArrivedAt = performance.now();
    if (run.outcome !== before) renderRunSelect();
    scheduleRender();
  }
}

/** A failed fetch leaves the page as it was; the connection badge, which follows the event stream, shows whether the server is still there. */
function onFailure(error: unknown): void {
  console.error('sluice dashboard:', error);
}

function startLive(): void {
  setConnection('connecting');
  // The stream opens before the first fetch so that no update falls between the view and it; updates for a run still loading wait in pendingUpdates.
  const events = new EventSource(withToken('api/events'));
  let dropped = false;
  events.addEventListener('open', () => {
    setConnection('live');
    // Back after a drop: the server may have moved on (or be a new process), so start over from its lists.
    if (dropped) void sync().catch(onFailure);
    dropped = false;
  });
  events.addEventListener('error', () => {
    dropped = true;
    setConnection('disconnected');
  });
  events.addEventListener('run', (event: MessageEvent<string>) => onRun(JSON.parse(event.data) as RunSummary));
  events.addEventListener('update', (event: MessageEvent<string>) => onUpdate(JSON.parse(event.data) as RunUpdate));
  byId<HTMLSelectElement>('run-select').addEventListener('change', (event) => {
    const jobId = Number((event.target as HTMLSelectElement).value);
    // Choosing the newest run goes back to following the newest.
    pickedJobId = jobId === newestJobId() ? null : jobId;
    void show(jobId).catch(onFailure);
  });
  // Elapsed and stuck times tick between updates.
  setInterval(() => {
    if (connection === 'live' && run?.outcome === 'running') scheduleRender();
  }, 1000);
  void sync().catch(onFailure);
}

function startReport(element: HTMLElement): void {
  setConnection('report');
  run = JSON.parse(element.textContent ?? 'null') as RunView;
  render();
}

if (embedded === null) startLive();
else startReport(embedded);
