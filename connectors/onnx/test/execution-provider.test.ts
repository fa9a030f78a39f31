import assert from 'node:assert/strict';
import path from 'node:path';
import { mock, test } from 'node:test';
import { getActorContext, type ActorContext } from 'sluice';
import { OnnxTextEmbedder, cudaSupport, writeHashedNgramModel } from '../src/index.js';
import { planExecutionProvider } from '../src/execution-provider.js';
import { tempDir } from './fixtures.js';

test("CUDA on the actor's first GPU when it has one and CUDA is installed; CPU otherwise", () => {
  const available = { available: true };
  const missing = { available: false, reason: 'no provider' };
  assert.deepEqual(planExecutionProvider('auto', [], available), { kind: 'cpu' });
  assert.deepEqual(planExecutionProvider('auto', [1, 2], available), { kind: 'cuda', deviceId: 1 });
  assert.deepEqual(planExecutionProvider('cuda', [], available), { kind: 'cuda', deviceId: 0 });
  assert.deepEqual(planExecutionProvider('cpu', [0], available), { kind: 'cpu' });
  assert.deepEqual(planExecutionProvider('auto', [0], missing), { kind: 'cpu', fallbackReason: 'no provider' });
  assert.deepEqual(planExecutionProvider('cuda', [], missing), { kind: 'cpu', fallbackReason: 'no provider' });
});

// The npm package bundles the CPU provider only; the CUDA libraries come from its install script.
const cudaInstalled = cudaSupport().available;

test(
  'asking for a GPU without CUDA runs on CPU and prints exactly one warning line per process',
  { skip: cudaInstalled && 'the CUDA provider is installed here' },
  async () => {
    const modelPath = await writeHashedNgramModel(path.join(await tempDir(), 'embed.onnx'), { dim: 8, hiddenSize: 8, vocabSize: 64 });
    const lines: string[] = [];
    const stderr = mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    const key = Symbol.for('sluice.actorContext');
    const holder = globalThis as unknown as Record<symbol, ActorContext | undefined>;
    try {
      const byOption = [new OnnxTextEmbedder({ modelPath, executionProvider: 'cuda', tokenizer: { kind: 'hashed-ngram', vocabSize: 64 } })];
      // As inside an actor placed on GPU 0 (what the actor worker sets before constructing the class).
      holder[key] = { operator: 'MapBatches(OnnxTextEmbedder)', actorIndex: 1, numCpus: 1, gpuIds: [0] };
      assert.deepEqual(getActorContext()?.gpuIds, [0]);
      const inActor = new OnnxTextEmbedder({ modelPath, tokenizer: { kind: 'hashed-ngram', vocabSize: 64 } });
      for (const embedder of [...byOption, inActor]) {
        const out = await embedder.call({ text: ['runs on CPU all the same'] });
        assert.equal((out.embedding as Float32Array[])[0].length, 8);
        await embedder.close();
      }
    } finally {
      stderr.mock.restore();
      delete holder[key];
    }
    const text = lines.join('');
    assert.equal(text.split('\n').filter(Boolean).length, 1, text);
    assert.match(
      text,
      /^@sluice\/onnx: OnnxTextEmbedder: a GPU was asked for but .*CUDA provider library is not installed .*; running on CPU\n$/,
    );
  },
);
