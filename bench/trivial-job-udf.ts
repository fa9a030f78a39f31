/**
 * bench/core (c'): the trivial job of trivial-job.ts with its map and filter on the task
 * pool (worker threads started, then shut down), timed from process spawn to exit.
 */
import { range } from '../src/index.js';
import { squareUdf, multipleOfThreeUdf } from './trivial-udfs.js';

const rows = await range(1000).map(squareUdf).filter(multipleOfThreeUdf).take(10);
// Rows come as tasks complete (preserveOrder is off): any ten multiples of three will do.
if (rows.length !== 10 || rows.some((row) => row.id % 3 !== 0))
  throw new Error(`trivial job (udf): unexpected result ${JSON.stringify(rows)}`);
