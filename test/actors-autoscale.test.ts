/**
 * `concurrency: [min, max]`: the pool grows while input queues up (within free resources)
 * and stops actors above its minimum after they sit idle for `actorIdleTimeoutMs`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStream, fromAsyncIterable, range, type SluiceEvent } from '../src/index.js';
import { sleeperUdf } from './fixtures/actor-udfs.js';

async function collect(events: EventStream): Promise<SluiceEvent[]> {
  const out: SluiceEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('concurrency [1, 3] grows to 3 actors under a queued input, then shrinks to 1 when input pauses', async () => {
  // A burst of 300 rows (about 0.5 s of work on 3 actors, after their start), a pause of 2.5 s
  // (far longer than the idle timeout), then a few more rows.
  async function* bursts() {
    for (let id = 0; id < 300; id++) yield { id };
    await sleep(2_500);
    for (let id = 300; id < 310; id++) yield { id };
  }
  const events = new EventStream();
  const rows = await fromAsyncIterable(bursts)
    .mapBatches(sleeperUdf, { batchSize: 5, concurrency: [1, 3], numCpus: 0.5, actorIdleTimeoutMs: 300, constructorArgs: [20] })
    .takeAll({ cpus: 2, onEvent: events.handler });
  assert.equal(rows.length, 310);
  const all = await collect(events);
  const starts = all.filter((e) => e.type === 'actor-start');
  assert.equal(starts.length, 3, 'the pool grew to its maximum');
  assert.equal(new Set(rows.map((r) => r.actor)).size, 3);
  const idleStops = all.filter((e) => e.type === 'actor-stop' && e.reason === 'idle');
  assert.equal(idleStops.length, 2, 'two actors above the minimum stopped while idle');
  // The rows after the pause ran on the one actor left.
  assert.equal(new Set(rows.filter((r) => r.id >= 300).map((r) => r.actor)).size, 1);
});

test('a pool grows only within free CPUs: [1, 4] with numCpus 1 on 2 CPUs stops at 2 actors', async () => {
  const events = new EventStream();
  const rows = await range(200)
    .mapBatches(sleeperUdf, { batchSize: 5, concurrency: [1, 4], constructorArgs: [10] })
    .takeAll({ cpus: 2, onEvent: events.handler });
  assert.equal(rows.length, 200);
  assert.equal((await collect(events)).filter((e) => e.type === 'actor-start').length, 2);
});
