/**
 * A crashed actor (its thread exits) is restarted in its place up to maxRestarts times, and
 * the batches it had in flight run again on another actor; past maxRestarts the job fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ActorError, EventStream, range, type SluiceEvent } from '../src/index.js';
import { crasherUdf } from './fixtures/actor-udfs.js';
import { withTempDir } from './fixtures/temp-dir.js';

const withDir = <T>(run: (dir: string) => Promise<T>): Promise<T> => withTempDir('sluice-actor-restarts-', run);

async function collect(events: EventStream): Promise<SluiceEvent[]> {
  const out: SluiceEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

test('an actor that exits in call is restarted and its batch runs again: the results are complete', () =>
  withDir(async (dir) => {
    const events = new EventStream();
    const rows = await range(400)
      .mapBatches(crasherUdf, { batchSize: 10, concurrency: 2, maxRestarts: 1, constructorArgs: [dir, 155, false] })
      .takeAll({ cpus: 2, onEvent: events.handler });
    assert.deepEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert.equal(readFileSync(join(dir, 'crashed'), 'utf8').trim().split('\n').length, 1);
    const restarts = (await collect(events)).filter((e) => e.type === 'actor-restart');
    assert.equal(restarts.length, 1);
    assert.match(restarts[0].type === 'actor-restart' ? restarts[0].message : '', /exited with code 3/);
  }));

test('an actor that keeps dying fails the job with an ActorError once maxRestarts is spent', () =>
  withDir(async (dir) => {
    await assert.rejects(
      range(400)
        .mapBatches(crasherUdf, { batchSize: 10, concurrency: 2, maxRestarts: 1, constructorArgs: [dir, 155, true] })
        .takeAll({ cpus: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof ActorError, String(error));
        assert.match(
          error.message,
          /^MapBatches\(Crasher\): actor \d died after 1 restart \(maxRestarts 1\): its thread exited with code 3; raise 'maxRestarts'/,
        );
        return true;
      },
    );
    // Actor 0 and 1 die on the batch, each is restarted once, and the third death is one too many.
    assert.equal(readFileSync(join(dir, 'crashed'), 'utf8').trim().split('\n').length, 3);
  }));
