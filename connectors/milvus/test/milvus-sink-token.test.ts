/**
 * The token reaches Milvus and nothing else: not errors (messages, stacks, causes), not the
 * sink as printed, not its summary, not the job's events; a misspelt option is refused
 * without echoing its value.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { fromItems, InvalidOptionError, type SluiceEvent } from 'sluice';
import { milvusSink, type MilvusSinkOptions } from '../src/index.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';
import { collectionName } from './fixtures/milvus-target.js';
import { docRows, docSpec, vectorOf } from './fixtures/sink-rows.js';

const TOKEN = 'root:Tok3n-s3cr3t-4b7f';
const ENCODED = Buffer.from(TOKEN).toString('base64');

let milvus: MilvusStandIn;
before(async () => {
  milvus = await MilvusStandIn.start({ token: TOKEN });
});
after(() => milvus.stop());

/** Every text an error carries: messages and stacks down its causes, and its own fields. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message, e.stack ?? '', inspect(e, { depth: 5 }));
  return parts.join('\n');
}

function assertNoToken(text: string, where: string): void {
  assert.ok(!text.includes(TOKEN) && !text.includes(ENCODED) && !text.includes('s3cr3t'), `the token appears in ${where}`);
}

const options = (overrides: Partial<MilvusSinkOptions> = {}): MilvusSinkOptions => ({
  uri: milvus.uri,
  token: TOKEN,
  collection: collectionName('token'),
  createCollection: docSpec(),
  retryBaseMs: 10,
  maxAttempts: 2,
  ...overrides,
});

test('a write with the right token succeeds; the sink, its summary and the events never show the token', async () => {
  const events: SluiceEvent[] = [];
  const sink = milvusSink(options());
  const result = await fromItems(docRows(20)).write(sink, { onEvent: (e) => events.push(e) });
  assert.equal(result.rows, 20);
  assertNoToken(inspect(sink, { depth: 10, showHidden: true }), 'the sink as printed');
  assertNoToken(JSON.stringify(sink), 'the sink as JSON');
  assertNoToken(JSON.stringify(sink.summary()), 'the summary');
  assertNoToken(JSON.stringify(events), 'the events');
  assertNoToken(inspect(result, { depth: 10 }), 'the write result');
});

test('failed writes (wrong token, schema error, Milvus error) say what failed without the token', async () => {
  const wrong = milvusSink(options({ token: `${TOKEN}-wrong` }));
  const refused = await fromItems(docRows(5))
    .write(wrong)
    .then(
      () => assert.fail('a wrong token must fail'),
      (e: unknown) => e,
    );
  assert.match(errorText(refused), /auth check failure/);
  assertNoToken(errorText(refused), 'the error of a wrong token');

  const badRows = docRows(5).map((r, i) => (i === 2 ? { ...r, vec: vectorOf(i, 3) } : r));
  const schemaError = await fromItems(badRows)
    .write(milvusSink(options()))
    .then(
      () => assert.fail('a bad row must fail'),
      (e: unknown) => e,
    );
  assert.match(errorText(schemaError), /row 2 of batch 0/);
  assertNoToken(errorText(schemaError), 'a schema error');

  milvus.failNext('Upsert', { status: { code: 65535, error_code: 1, reason: 'the stand-in failed' } });
  const milvusError = await fromItems(docRows(5))
    .write(milvusSink(options()))
    .then(
      () => assert.fail('an injected error must fail'),
      (e: unknown) => e,
    );
  assert.match(errorText(milvusError), /the stand-in failed/);
  assertNoToken(errorText(milvusError), 'a Milvus error');
});

test('a misspelt option is refused without showing its value', () => {
  const misspelt = { ...options(), tokne: TOKEN } as MilvusSinkOptions;
  assert.throws(
    () => milvusSink(misspelt),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.match(error.message, /option 'tokne' must be one of uri, token, .*received a value \(not shown\)/);
      assertNoToken(errorText(error), 'an option error');
      return true;
    },
  );
});
