/**
 * bench/core (c): a trivial job, timed by bench/core from process spawn to exit. 1,000 rows,
 * a map and a filter on the main thread, take(10).
 */
import { range } from '../src/index.js';

const rows = await range(1000)
  .map((row) => ({ id: row.id, square: row.id * row.id }))
  .filter((row) => row.square % 3 === 0)
  .take(10);
if (rows.length !== 10 || rows.some((row) => row.square % 3 !== 0))
  throw new Error(`trivial job: unexpected result ${JSON.stringify(rows)}`);
