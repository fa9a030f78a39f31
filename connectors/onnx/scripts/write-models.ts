/**
 * Writes the package's models, no download needed:
 *   node connectors/onnx/dist/scripts/write-models.js [dir] [--dim 384] [--mlp]
 * writes <dir>/hashed-ngram-<dim>.onnx (the default text embedding model) and, with --mlp,
 * <dir>/mlp-384-1536-384.onnx (the benchmark's model). Default dir: ./models.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeHashedNgramModel, writeMlpModel } from '../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dim: { type: 'string', default: '384' }, mlp: { type: 'boolean', default: false } },
});
const dir = positionals[0] ?? 'models';
const dim = Number(values.dim);
if (!Number.isInteger(dim) || dim < 2) {
  console.error(`--dim must be a whole number >= 2; received ${values.dim}`);
  process.exit(2);
}
console.log(await writeHashedNgramModel(path.join(dir, `hashed-ngram-${dim}.onnx`), { dim }));
if (values.mlp) console.log(await writeMlpModel(path.join(dir, 'mlp-384-1536-384.onnx')));
