/**
 * A page's text from pdfjs `getTextContent()` items, laid out as poppler's `pdftotext` does in its
 * default (reading-order, non-layout) mode, so that rows read like the tool people compare with.
 *
 * The model is poppler's TextOutputDev, simplified: items are grouped into lines by baseline,
 * lines into blocks (same font size, baselines at most 1.5 em apart, overlapping horizontally),
 * blocks are put in reading order (Breuel's rules: above and overlapping comes first, then left
 * before right unless something spans both), and consecutive blocks into flows (gap at most
 * 2.5 em, no larger font below, same column). Lines end with '\n'; flows (paragraphs separated by
 * a clearly larger gap, headings, columns) with a blank line. As in pdftotext a line ending in a
 * hyphen is joined to the next line of its flow without the hyphen ("exam-" + "ple" → "example",
 * "well-" + "Known" → "wellKnown"); the last line of a flow keeps it. Unlike pdftotext, the
 * ligatures U+FB00–FB06 are expanded (NFKC), and there is no trailing blank line or form feed.
 *
 * Only geometry counts, not content order: pdfjs's `hasEOL` says where the content stream moved
 * to another line, which is not reading order in multi-column or out-of-order pages.
 *
 * Cost: a sort of the items and near-linear passes over them, then work quadratic (at worst cubic)
 * in the number of blocks, tens on a page; above 200 blocks, plain top-to-bottom order. About
 * 0.1–0.2 ms a page of text, a few per cent of what getTextContent takes.
 */
import type { TextContent, TextItem, TextStyle } from 'pdfjs-dist/types/src/display/api.js';

// Fractions of the font size; the names and values are poppler's (TextOutputDev.cc).
/** Baselines closer than this are one line (superscripts stay on their line). */
const MAX_INTRA_LINE_DELTA = 0.5;
/** Next line of a block: baseline at most this far below. */
const MAX_LINE_SPACING_DELTA = 1.5;
/** A horizontal gap wider than this starts another block (a column, a table cell)... */
const MIN_COL_SPACING = 0.7;
/** ...unless narrower than this and in a font of nearly the same size (a list's bullet and its text). */
const MIN_COL_SPACING2 = 1.0;
const MAX_BLOCK_FONT_SIZE_DELTA3 = 0.2;
/** Lines of one block differ in font size by less than this; text joining a line, by DELTA2. */
const MAX_BLOCK_FONT_SIZE_DELTA1 = 0.05;
const MAX_BLOCK_FONT_SIZE_DELTA2 = 0.6;
/** Blocks of one flow are at most this far apart vertically; a larger gap is a blank line. */
const MAX_BLOCK_SPACING = 2.5;
/** A gap this wide or wider ends a line within a block. */
const MAX_WORD_SPACING = 1.5;
/** A gap wider than this between two items is a word space (a font change alone is not)... */
const MIN_WORD_BREAK_SPACE = 0.1;
/** ...and one wider than this too where the size or baseline changes (poppler splits words there). */
const MAX_CHAR_SPACING = 0.03;
/** Duplicated text (fake bold, shadows) closer than this is dropped. */
const DUP_MAX_PRI_DELTA = 0.1;
const DUP_MAX_SEC_DELTA = 0.2;
/** Above this many blocks on a page, plain top-to-bottom order instead of the cubic sort. */
const MAX_SORTED_BLOCKS = 200;

/** What poppler removes at a line end (`isHyphenChar`, and the soft hyphen). */
const HYPHENS = new Set(['-', '\u2010', '\u00ad', '\ufe63', '\uff0d']);
const LIGATURES = /[\ufb00-\ufb06]/g;

/**
 * One text item in the coordinates of its rotation: `x0..x1` along the reading direction,
 * `base` (the baseline) and `top..bottom` across it, growing down the page.
 */
interface Fragment {
  readonly text: string;
  readonly rot: number;
  readonly x0: number;
  readonly x1: number;
  readonly base: number;
  readonly top: number;
  readonly bottom: number;
  readonly size: number;
}

interface Line {
  readonly band: number;
  readonly frags: Fragment[];
}

interface Block {
  lines: Line[];
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  /** Font size of its first line, as poppler compares blocks by. */
  readonly size: number;
  lastBand: number;
  lastBase: number;
  merged: boolean;
  /** The free horizontal space around the block: up to the blocks beside it. */
  priMin: number;
  priMax: number;
}

/**
 * The page's text, as `pdftotext -f N -l N` prints it, less the trailing blank line and form feed.
 * `content` is `page.getTextContent()` with its defaults (no marked content; pdfjs's own Unicode
 * normalization, which already expands most ligatures: U+FB00–FB06 are expanded here either way).
 */
export function pageText(content: TextContent): string {
  const byRot: Fragment[][] = [[], [], [], []];
  const chars = [0, 0, 0, 0];
  for (const item of content.items) {
    if (!('str' in item)) continue; // marked content
    const frag = toFragment(item, content.styles[item.fontName]);
    if (frag) {
      byRot[frag.rot].push(frag);
      chars[frag.rot] += frag.text.length;
    }
  }
  // The most used rotation first (poppler's primary rotation), then the others.
  const primary = chars.indexOf(Math.max(...chars));
  const flows: string[] = [];
  for (const rot of [primary, ...[0, 1, 2, 3].filter((r) => r !== primary)]) {
    if (byRot[rot].length > 0) flowTexts(byRot[rot], flows);
  }
  const text = flows.join('\n\n');
  return text.search(LIGATURES) < 0 ? text : text.replace(LIGATURES, (lig) => lig.normalize('NFKC'));
}

function toFragment(item: TextItem, style: TextStyle | undefined): Fragment | undefined {
  const text = item.str;
  if (text.length === 0 || text.trim().length === 0) return undefined; // EOL markers and spaces: geometry says it
  const [a, b, c, d, e, f] = item.transform as number[];
  const vertical = style?.vertical === true;
  // Reading direction: along the baseline, or down the glyphs' up vector for vertical writing.
  const dx = vertical ? -c : a;
  const dy = vertical ? -d : b;
  const rot = Math.abs(dx) >= Math.abs(dy) ? (dx >= 0 ? 0 : 2) : dy > 0 ? 1 : 3;
  // pri along the reading direction, sec across it towards the next line (PDF y grows upwards).
  const pri = rot === 0 ? e : rot === 1 ? f : rot === 2 ? -e : -f;
  const sec = rot === 0 ? -f : rot === 1 ? e : rot === 2 ? f : -e;
  const size = vertical ? Math.hypot(a, b) : item.height || Math.hypot(c, d);
  const length = vertical ? item.height : item.width;
  let top: number;
  let bottom: number;
  if (vertical) {
    top = sec - size / 2;
    bottom = sec + size / 2;
  } else {
    // poppler's word box: the font's ascent and descent, 0.95 and -0.35 when unknown.
    const ascent = style && style.ascent > 0 && style.ascent <= 2 ? style.ascent : 0.95;
    const descent = style && style.descent <= 0 && style.descent >= -1 ? style.descent : -0.35;
    top = sec - ascent * size;
    bottom = sec - descent * size;
  }
  return { text, rot, x0: pri, x1: pri + Math.abs(length), base: sec, top, bottom, size };
}

/** Appends the text of each flow of these fragments (all of one rotation) to `out`. */
function flowTexts(frags: Fragment[], out: string[]): void {
  const blocks = orderBlocks(buildBlocks(frags));
  setColumnSpace(blocks);
  let flow: Block[] = [];
  let first: Block | undefined;
  for (const blk of blocks) {
    const prev = flow[flow.length - 1];
    if (prev && first && blk.top - prev.bottom <= MAX_BLOCK_SPACING * prev.size && isBelow(blk, prev) && fitsFlow(blk, first, prev)) {
      flow.push(blk);
      continue;
    }
    if (flow.length > 0) out.push(flowText(flow));
    flow = [blk];
    first = blk;
  }
  if (flow.length > 0) out.push(flowText(flow));
}

/** Groups fragments into lines (by baseline) and the lines into blocks. */
function buildBlocks(frags: Fragment[]): Block[] {
  frags.sort((p, q) => p.base - q.base || p.x0 - q.x0);
  const blocks: Block[] = [];
  let active: Block[] = [];
  let band = 0;
  for (let i = 0; i < frags.length; band++) {
    // A band: fragments whose baselines are within half a font size of the highest one.
    const start = i;
    const minBase = frags[i].base;
    let size = frags[i].size;
    for (i++; i < frags.length && frags[i].base <= minBase + MAX_INTRA_LINE_DELTA * Math.max(size, frags[i].size); i++) {
      size = Math.max(size, frags[i].size);
    }
    const row = frags.slice(start, i).sort((p, q) => p.x0 - q.x0);
    // Blocks whose last line is too far above cannot continue here.
    active = active.filter((blk) => !blk.merged && minBase - blk.lastBase <= MAX_LINE_SPACING_DELTA * blk.size);
    // Segments: runs of the band without a column-sized gap.
    let segStart = 0;
    for (let k = 1; k <= row.length; k++) {
      if (k < row.length && continuesSegment(row[segStart].size, row[k], row[k].x0 - maxX1(row, segStart, k))) continue;
      const block = placeSegment(row.slice(segStart, k), band, active);
      if (block) {
        blocks.push(block);
        active.push(block);
      }
      segStart = k;
    }
  }
  return joinBesideBlocks(blocks.filter((blk) => !blk.merged));
}

/**
 * poppler grows a block by whatever lies on its lines within 0.7 em of its whole extent, so a
 * paragraph whose lines each have a wide gap somewhere (inline code, justified text) is one block,
 * while the band-by-band pass above sees separate pieces: merge them until nothing changes.
 */
function joinBesideBlocks(blocks: Block[]): Block[] {
  for (let changed = true; changed;) {
    changed = false;
    for (const a of blocks) {
      if (a.merged) continue;
      for (const b of blocks) {
        if (b === a || b.merged || b.lines[0].band > a.lastBand || b.lastBand < a.lines[0].band) continue;
        const reach = MIN_COL_SPACING * a.size;
        if (b.x0 < a.x1 + reach && b.x1 > a.x0 - reach && Math.abs(b.size - a.size) < MAX_BLOCK_FONT_SIZE_DELTA2 * a.size) {
          mergeBlocks(a, b);
          changed = true;
        }
      }
    }
  }
  return blocks.filter((blk) => !blk.merged);
}

function continuesSegment(size: number, frag: Fragment, gap: number): boolean {
  if (gap <= MIN_COL_SPACING * size) return true;
  return gap < MIN_COL_SPACING2 * size && Math.abs(frag.size - size) < MAX_BLOCK_FONT_SIZE_DELTA3 * size;
}

function maxX1(row: Fragment[], from: number, to: number): number {
  let x1 = -Infinity;
  for (let k = from; k < to; k++) if (row[k].x1 > x1) x1 = row[k].x1;
  return x1;
}

/**
 * Adds a segment to the block it continues (a next line overlapping it, or more of the block's
 * current line), merging blocks the segment bridges; returns a new block when none fits.
 */
function placeSegment(seg: Fragment[], band: number, active: Block[]): Block | undefined {
  // As in poppler a block's font size is its first word's, and text joins it when some of its
  // words are of about that size; the baseline that counts is the segment's longest fragment's.
  let main = seg[0];
  for (const frag of seg) if (frag.text.length > main.text.length) main = frag;
  const x0 = seg[0].x0;
  const x1 = maxX1(seg, 0, seg.length);
  let target: Block | undefined;
  for (const blk of active) {
    if (blk.merged) continue;
    const fits =
      blk.lastBand === band
        ? x0 < blk.x1 + MIN_COL_SPACING * blk.size &&
          x1 > blk.x0 - MIN_COL_SPACING * blk.size &&
          sizeNear(seg, blk.size, MAX_BLOCK_FONT_SIZE_DELTA2)
        : x0 < blk.x1 &&
          x1 > blk.x0 &&
          main.base - blk.lastBase <= MAX_LINE_SPACING_DELTA * blk.size &&
          sizeNear(seg, blk.size, MAX_BLOCK_FONT_SIZE_DELTA1);
    if (!fits) continue;
    if (target) mergeBlocks(target, blk);
    else target = blk;
  }
  const created = !target;
  if (!target) {
    target = {
      lines: [],
      x0,
      x1,
      top: Infinity,
      bottom: -Infinity,
      size: seg[0].size,
      lastBand: -1,
      lastBase: main.base,
      merged: false,
      priMin: -Infinity,
      priMax: Infinity,
    };
  }
  const last = target.lines[target.lines.length - 1];
  if (last && last.band === band) last.frags.push(...seg);
  else target.lines.push({ band, frags: seg });
  target.x0 = Math.min(target.x0, x0);
  target.x1 = Math.max(target.x1, x1);
  for (const frag of seg) {
    if (frag.top < target.top) target.top = frag.top;
    if (frag.bottom > target.bottom) target.bottom = frag.bottom;
  }
  if (target.lastBand !== band) target.lastBase = main.base;
  target.lastBand = band;
  return created ? target : undefined;
}

function sizeNear(seg: Fragment[], size: number, delta: number): boolean {
  for (const frag of seg) if (Math.abs(frag.size - size) < delta * size) return true;
  return false;
}

/** Moves `from`'s lines into `into`, line by line (same band, same line). */
function mergeBlocks(into: Block, from: Block): void {
  const lines: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < into.lines.length || j < from.lines.length) {
    const p = into.lines[i];
    const q = from.lines[j];
    if (q === undefined || (p !== undefined && p.band < q.band)) {
      lines.push(p);
      i++;
    } else if (p === undefined || q.band < p.band) {
      lines.push(q);
      j++;
    } else {
      lines.push({ band: p.band, frags: [...p.frags, ...q.frags] });
      i++;
      j++;
    }
  }
  into.lines = lines;
  into.x0 = Math.min(into.x0, from.x0);
  into.x1 = Math.max(into.x1, from.x1);
  into.top = Math.min(into.top, from.top);
  into.bottom = Math.max(into.bottom, from.bottom);
  if (from.lastBand > into.lastBand) {
    into.lastBand = from.lastBand;
    into.lastBase = from.lastBase;
  }
  from.merged = true;
}

/**
 * Reading order by a depth-first topological sort, as poppler does (Breuel's rules): `a` before
 * `b` if above it and overlapping it (rule 1), or left of it with no block below `b` and above
 * `a` between them (rule 2: a heading spanning both columns separates them). Overlap is judged on
 * extents widened over the blocks below up to the neighbouring columns, so that a page number in
 * the corner still reads before the text under it; blocks of a table (a list's bullets and items
 * too) read row by row.
 */
function orderBlocks(blocks: Block[]): Block[] {
  const n = blocks.length;
  if (n > MAX_SORTED_BLOCKS) return blocks.sort((p, q) => p.top - q.top || p.x0 - q.x0);
  const table = findTables(blocks);
  const ex0 = new Float64Array(n);
  const ex1 = new Float64Array(n);
  const ey0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ex0[i] = blocks[i].x0;
    ex1[i] = blocks[i].x1;
    ey0[i] = blocks[i].top;
  }
  // A table block takes the whole table's extent...
  for (let i = 0; i < n; i++) {
    if (table[i] < 0) continue;
    for (let j = 0; j < n; j++) {
      if (table[j] !== table[i]) continue;
      ex0[i] = Math.min(ex0[i], blocks[j].x0);
      ex1[i] = Math.max(ex1[i], blocks[j].x1);
      ey0[i] = Math.min(ey0[i], blocks[j].top);
    }
  }
  // ...another widens over the blocks below it, short of the blocks beside it.
  for (let i = 0; i < n; i++) {
    if (table[i] >= 0) continue;
    const blk = blocks[i];
    let left = -Infinity;
    let right = Infinity;
    for (const other of blocks) {
      if (other === blk || !yOverlap(blk, other)) continue;
      if (other.x0 > blk.x1 && other.x0 < right) right = other.x0;
      if (other.x1 < blk.x0 && other.x1 > left) left = other.x1;
    }
    for (const other of blocks) {
      if (other === blk || other.top < blk.bottom) continue;
      if (other.x1 > ex1[i] && other.x1 <= right) ex1[i] = other.x1;
      if (other.x0 < ex0[i] && other.x0 >= left) ex0[i] = other.x0;
    }
  }
  const rule1 = new Uint8Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const overlap = (ex0[a] <= ex0[b] && ex0[b] <= ex1[a]) || (ex0[b] <= ex0[a] && ex0[a] <= ex1[b]);
      if (a !== b && overlap && ey0[a] < ey0[b]) rule1[a * n + b] = 1;
    }
  }
  const before = (a: number, b: number): boolean => {
    if (table[b] >= 0 && table[a] === table[b]) {
      const p = blocks[a];
      const q = blocks[b];
      return (p.x1 <= q.x0 && yOverlap(p, q)) || p.bottom <= q.top;
    }
    if (rule1[a * n + b]) return true;
    if (ex1[a] > ex0[b]) return false;
    for (let c = 0; c < n; c++) if (c !== a && c !== b && rule1[b * n + c] && rule1[c * n + a]) return false;
    return true;
  };
  const visited = new Uint8Array(n);
  const sorted: Block[] = [];
  const visit = (b: number): void => {
    visited[b] = 1;
    for (let a = 0; a < n; a++) if (!visited[a] && before(a, b)) visit(a);
    sorted.push(blocks[b]);
  };
  for (let b = 0; b < n; b++) if (!visited[b]) visit(b);
  return sorted;
}

function xOverlap(p: Block, q: Block): boolean {
  return p.x0 <= q.x1 && p.x1 >= q.x0;
}

function yOverlap(p: Block, q: Block): boolean {
  return p.top <= q.bottom && p.bottom >= q.top;
}

/**
 * poppler's table detection: a block, its nearest neighbours on the right, below and below-right,
 * aligned (centres, left or right edges; centres, tops or bottoms) make cells of one table.
 * Returns each block's table number, -1 for none.
 */
function findTables(blocks: Block[]): Int32Array {
  const n = blocks.length;
  const ids = new Int32Array(n).fill(-1);
  let tables = 0;
  for (let i = 0; i < n; i++) {
    const b1 = blocks[i];
    let right = -1;
    let below = -1;
    let diagonal = -1;
    let rightX = Infinity;
    let belowY = Infinity;
    let diagonalX = Infinity;
    let diagonalY = Infinity;
    for (let j = 0; j < n; j++) {
      const b = blocks[j];
      if (j === i) continue;
      if (yOverlap(b, b1) && b.x0 > b1.x1 && b.x0 < rightX) {
        rightX = b.x0;
        right = j;
      } else if (xOverlap(b, b1) && b.top > b1.bottom && b.top < belowY) {
        belowY = b.top;
        below = j;
      } else if (b.x0 > b1.x1 && b.x0 < diagonalX && b.top > b1.bottom && b.top < diagonalY) {
        diagonalX = b.x0;
        diagonalY = b.top;
        diagonal = j;
      }
    }
    if (right < 0 || below < 0 || diagonal < 0) continue;
    const b2 = blocks[right];
    const b3 = blocks[below];
    const b4 = blocks[diagonal];
    if (xOverlap(b3, b4) || yOverlap(b2, b4) || xOverlap(b2, b3) || yOverlap(b2, b3)) continue;
    if (b4.x0 > b2.x1 || b4.x1 < b2.x0 || b4.top > b3.bottom || b4.bottom < b3.top) continue;
    const size = Math.min(b1.size, b2.size, b3.size, b4.size);
    const dx = MIN_COL_SPACING * size;
    const dy = MAX_INTRA_LINE_DELTA * size;
    const near = (p: number, q: number, r: number, s: number, d: number): boolean => Math.abs(p - q) <= d && Math.abs(r - s) <= d;
    const alignedX =
      near(b1.x0 + b1.x1, b3.x0 + b3.x1, b2.x0 + b2.x1, b4.x0 + b4.x1, 2 * dx) ||
      near(b1.x0, b3.x0, b2.x0, b4.x0, dx) ||
      near(b1.x1, b3.x1, b2.x1, b4.x1, dx);
    const alignedY =
      near(b1.top + b1.bottom, b2.top + b2.bottom, b3.top + b3.bottom, b4.top + b4.bottom, 2 * dy) ||
      near(b1.top, b2.top, b3.top, b4.top, dy) ||
      near(b1.bottom, b2.bottom, b3.bottom, b4.bottom, dy);
    if (!alignedX || !alignedY) continue;
    let id = Math.max(ids[i], ids[right], ids[below], ids[diagonal]);
    if (id < 0) id = tables++;
    ids[i] = ids[right] = ids[below] = ids[diagonal] = id;
  }
  return ids;
}

/** Each block's free horizontal space: from the nearest block on its left to the one on its right. */
function setColumnSpace(blocks: Block[]): void {
  for (const blk of blocks) {
    for (const other of blocks) {
      if (other === blk || !(other.top < blk.bottom && other.bottom > blk.top)) continue;
      if (other.x0 < blk.x0) blk.priMin = Math.max(blk.priMin, Math.min(other.x1, blk.x0));
      if (other.x1 > blk.x1) blk.priMax = Math.min(blk.priMax, Math.max(other.x0, blk.x1));
    }
  }
}

function isBelow(blk: Block, prev: Block): boolean {
  return blk.x0 >= prev.priMin && blk.x1 <= prev.priMax && blk.top > prev.top;
}

/** poppler's TextFlow::blockFits: no larger font below, within the flow's column. */
function fitsFlow(blk: Block, first: Block, last: Block): boolean {
  return blk.size <= last.size * 1.001 /* rounding, not a size change */ && blk.x0 >= first.priMin && blk.x1 <= first.priMax;
}

function flowText(flow: Block[]): string {
  const lines: string[] = [];
  for (const blk of flow) for (const line of blk.lines) splitLine(line.frags, lines);
  let text = '';
  const last = lines.length - 1;
  for (let l = 0; l < last; l++) {
    const line = lines[l];
    // pdftotext's dehyphenation: drop the hyphen and the line break, within a flow only.
    text += HYPHENS.has(line[line.length - 1]) ? line.slice(0, -1) : `${line}\n`;
  }
  return text + lines[last];
}

/**
 * The text lines of one band of a block, left to right. As in poppler a gap of 1.5 em or more
 * ends a line, the rest of the band becoming lines of their own ("-c, --check" and its
 * description in a two-column option list are two lines).
 */
function splitLine(frags: Fragment[], out: string[]): void {
  frags.sort((p, q) => p.x0 - q.x0);
  const runs: Fragment[][] = [];
  let run = [frags[0]];
  let x1 = frags[0].x1;
  for (let k = 1; k < frags.length; k++) {
    if (frags[k].x0 - x1 >= MAX_WORD_SPACING * run[0].size) {
      runs.push(run);
      run = [];
    }
    run.push(frags[k]);
    x1 = Math.max(x1, frags[k].x1);
  }
  runs.push(run);
  // Lines of one band read top (of their glyphs) first, then left to right.
  if (runs.length > 1) runs.sort((p, q) => top(p) - top(q) || p[0].x0 - q[0].x0);
  for (const r of runs) out.push(runText(r));
}

function top(frags: Fragment[]): number {
  let min = Infinity;
  for (const frag of frags) if (frag.top < min) min = frag.top;
  return min;
}

/** Fragments of one line, a space where the gap is a word space. */
function runText(frags: Fragment[]): string {
  let text = frags[0].text;
  let prev = frags[0];
  for (let k = 1; k < frags.length; k++) {
    const frag = frags[k];
    if (
      frag.text === prev.text &&
      Math.abs(frag.x0 - prev.x0) < DUP_MAX_PRI_DELTA * prev.size &&
      Math.abs(frag.base - prev.base) < DUP_MAX_SEC_DELTA * prev.size
    ) {
      continue;
    }
    const gap = frag.x0 - prev.x1;
    const spaced = text.endsWith(' ') || frag.text.startsWith(' ');
    const split = frag.size !== prev.size || Math.abs(frag.base - prev.base) > 0.5;
    if (!spaced && (gap > MIN_WORD_BREAK_SPACE * prev.size || (split && gap >= MAX_CHAR_SPACING * prev.size))) {
      text += ' ';
    }
    text += frag.text;
    prev = frag;
  }
  return text.trim();
}
