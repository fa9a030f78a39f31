/** Consecutive runs of rows [start, end) whose bytes add up to at most `maxBytes` each (a row larger than that is a run of its own). */
export function byteRuns(rowBytes: ArrayLike<number>, maxBytes: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let row = 0; row < rowBytes.length; row++) {
    if (row > start && bytes + rowBytes[row] > maxBytes) {
      runs.push([start, row]);
      start = row;
      bytes = 0;
    }
    bytes += rowBytes[row];
  }
  if (rowBytes.length > start) runs.push([start, rowBytes.length]);
  return runs;
}
