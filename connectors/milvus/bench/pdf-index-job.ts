/**
 * One run of a bench/milvus (c) contender in a process of its own, started by pdf-index-bench:
 * `node pdf-index-job.js <contender> '<IndexJob JSON>'` prints `RESULT {pages, chunks, seconds, cpuSeconds}`.
 * The clock starts after the imports and stops when the job's rows are flushed.
 */
import { langchainIndex, sluiceIndex, type IndexJob, type IndexResult } from './pdf-index-jobs.js';

/** Chunks per Milvus.addDocuments call on the LangChain side: about 4 MiB of 384-d rows per insert. */
const LANGCHAIN_STORE_BATCH = 2000;

const contenders: Record<string, (job: IndexJob) => Promise<IndexResult>> = {
  sluice: sluiceIndex,
  langchain: (job) => langchainIndex(job, LANGCHAIN_STORE_BATCH, 2),
  'langchain-pdf-parse-1': (job) => langchainIndex(job, LANGCHAIN_STORE_BATCH, 1),
};
const [name, json] = process.argv.slice(2);
const run = contenders[name];
if (run === undefined || json === undefined) throw new Error(`usage: pdf-index-job.js <${Object.keys(contenders).join('|')}> '<job JSON>'`);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await run(JSON.parse(json) as IndexJob);
const seconds = (performance.now() - started) / 1000;
// CPU of every thread of this process (workers and actors included): the work, whatever else the machine runs.
const cpu = process.cpuUsage(cpuBefore);
console.log(`RESULT ${JSON.stringify({ ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}`);
