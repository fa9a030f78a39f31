/**
 * bench/core, cold: the first job of a fresh process, pool start included, for sluice or the
 * piscina baseline. bench/core runs it in a child process and reads the one JSON line it prints.
 *
 *   node dist/bench/core-cold.js sluice|piscina <rows> <iters>
 */
import { range } from '../src/index.js';
import { PiscinaBaseline } from './baselines/piscina-run.js';
import { burnRowUdf } from './core-udfs.js';
import { ITERS_ENV } from './work.js';

const [contender, rowsArg, itersArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const iters = Number(itersArg);
process.env[ITERS_ENV] = String(iters);

const started = performance.now();
let sum = 0;
if (contender === 'sluice') {
  for (const row of await range(rows).map(burnRowUdf).takeAll()) sum += row.out;
} else if (contender === 'piscina') {
  const baseline = new PiscinaBaseline();
  sum = await baseline.run(rows, iters, 64);
  await baseline.destroy();
} else {
  throw new Error(`unknown contender ${contender}`);
}
console.log(JSON.stringify({ contender, ms: performance.now() - started, sum }));
