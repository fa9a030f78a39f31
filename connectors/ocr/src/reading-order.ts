/** A recognised line: its text, its corners (x, y clockwise from top-left, in the image's pixels) and its score. */
export interface OcrLine {
  text: string;
  /** [x0, y0, x1, y1, x2, y2, x3, y3]. */
  box: number[];
  score: number;
}

/**
 * Lines in reading order and the page's text: lines whose vertical centres are within half a
 * line height of each other are one row (a table's cells, a line the detector cut in two), read
 * left to right and joined by a space; rows top to bottom, one per text line.
 */
export function readingOrder(lines: readonly OcrLine[]): { lines: OcrLine[]; text: string } {
  const placed = lines
    .filter((line) => line.text !== '')
    .map((line) => {
      const ys = [line.box[1], line.box[3], line.box[5], line.box[7]];
      const top = Math.min(...ys);
      const bottom = Math.max(...ys);
      return { line, left: Math.min(line.box[0], line.box[6]), middle: (top + bottom) / 2, height: bottom - top };
    })
    .sort((a, b) => a.middle - b.middle);
  const rows: (typeof placed)[] = [];
  for (const item of placed) {
    const row = rows.at(-1);
    const rowMiddle = row === undefined ? 0 : row.reduce((s, i) => s + i.middle, 0) / row.length;
    const rowHeight = row === undefined ? 0 : row.reduce((s, i) => s + i.height, 0) / row.length;
    if (row !== undefined && Math.abs(item.middle - rowMiddle) < Math.min(rowHeight, item.height) / 2) row.push(item);
    else rows.push([item]);
  }
  for (const row of rows) row.sort((a, b) => a.left - b.left);
  return {
    lines: rows.flatMap((row) => row.map((item) => item.line)),
    text: rows.map((row) => row.map((item) => item.line.text).join(' ')).join('\n'),
  };
}
