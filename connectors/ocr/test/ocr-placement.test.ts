import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cudaSupport } from '@sluice/onnx';
import { characterErrorRate } from '../src/index.js';

test('OCR actors with numGpus 0.5 are placed on the job GPU and, without CUDA, read on CPU after one warning line', () => {
  const script = fileURLToPath(new URL('./fixtures/ocr-on-gpus.js', import.meta.url));
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { plan, texts } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { plan: string; texts: string[] };
  assert.match(plan, /DetectText \[actor pool, 1 actor, 0\.25 CPU, 0\.5 GPU per actor\]/);
  assert.match(plan, /RecognizeText \[actor pool, 1 actor, 0\.375 CPU, 0\.5 GPU per actor\]/);
  assert.ok(characterErrorRate('Placed on a GPU, read on a CPU.', texts[0]) <= 0.03, texts[0]);
  // Two actors fell back; the process says so once (where CUDA is installed they run on the GPU, silently).
  if (cudaSupport().available) return;
  const warnings = run.stderr.split('\n').filter((line) => line.includes('a GPU was asked for but'));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0], /running on CPU/);
});
