/**
 * Index a folder of videos: a vector per sampled frame and per audio segment.
 *
 *   probe the clips (ffprobe) → read a frame a second as a JPEG thumbnail and the audio in
 *   5-second segments, in one ffmpeg decode per file → features per row (task pool: pixels
 *   pooled to 16 × 16 × 3, or audio energies) → embed them with an ONNX MLP (actor pool) →
 *   write kind, path, timestamp, thumbnail and vector to Parquet; then embed one more frame of
 *   a clip and look up its nearest frames in the index
 *
 * Run: pnpm demo:videos [folder of videos]. Without a folder it indexes sample clips that it
 * writes first with ffmpeg's test sources (no network). Output: $SLUICE_DEMO_OUT, default
 * <tmp>/sluice-video-demo. The model is a 768 → 128 perceptron with fixed random weights,
 * written by @sluice/onnx: a stand-in for a real image or audio embedding model.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { OnnxPredictor, onnxPredictor, writeMlpModel, type OnnxPredictorOptions } from '@sluice/onnx';
import { probeVideos, readVideos, resolveBinaries } from '@sluice/video';
import { readParquet } from 'sluice';
import { FEATURES, frameFeatures, videoFeaturesOnWorkers } from './video-udfs.js';

interface IndexedRow {
  kind: 'frame' | 'audio';
  path: string;
  timestampMs: number;
  thumbnail: Uint8Array | null;
  vector: Float32Array;
}

const outDir = process.env.SLUICE_DEMO_OUT ?? join(os.tmpdir(), 'sluice-video-demo');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let folder = process.argv[2];
if (folder === undefined) {
  folder = join(outDir, 'sample-videos');
  await writeSampleClips(folder);
}

// Files ffprobe or ffmpeg cannot read are skipped and logged to errors.jsonl.
const errorLog = join(outDir, 'errors.jsonl');
const probed = await probeVideos(folder, { onError: 'skip' }).takeAll({ progress: 'off', errorLog });
const clips = probed.sort((a, b) => a.path.localeCompare(b.path));
if (clips.length === 0) {
  console.error(`no readable videos in ${folder} (see ${errorLog})`);
  process.exit(1);
}
console.log('clip                 seconds  codec  size      fps  frames  audio');
for (const c of clips) {
  const audio = c.audio.map((a) => `${a.codec} ${a.sampleRate} Hz`).join(', ') || '-';
  console.log(
    `${basename(c.path).padEnd(20)} ${c.durationSeconds?.toFixed(2).padStart(7)}  ${String(c.videoCodec).padEnd(5)}  ` +
      `${`${c.width}x${c.height}`.padEnd(8)} ${c.fps?.toFixed(0).padStart(4)}  ${String(c.frameCount).padStart(6)}  ${audio}`,
  );
}
console.log();

const modelPath = await writeMlpModel(join(outDir, 'model', 'mlp-768-128.onnx'), { inputSize: FEATURES, hiddenSize: 512, outputSize: 128 });
const embedding: OnnxPredictorOptions = {
  modelPath,
  inputs: { x: 'features' },
  outputs: { y: 'vector' },
  keepColumns: ['kind', 'path', 'timestampMs', 'thumbnail'],
};
const frameOptions = { format: 'jpeg', size: { maxSide: 160 } } as const;
const indexDir = join(outDir, 'index');

// A frame a second and 5-second audio segments come out of the same ffmpeg process per file.
const index = readVideos(folder, { ...frameOptions, fps: 1, audio: { segmentSeconds: 5 }, onError: 'skip' })
  .map(videoFeaturesOnWorkers, { name: 'Features', types: { thumbnail: 'binary' } })
  .mapBatches<IndexedRow, [OnnxPredictorOptions]>(onnxPredictor, {
    name: 'Embed',
    batchFormat: 'arrow',
    batchSize: 64,
    concurrency: 1,
    numCpus: 0.5,
    constructorArgs: [embedding],
  })
  .selectColumns(['kind', 'path', 'timestampMs', 'thumbnail', 'vector']);
index.explain();
console.log();

const started = performance.now();
const written = await index.writeParquet(indexDir, { errorLog, progressIntervalMs: 1000 });
const seconds = (performance.now() - started) / 1000;
console.log(`indexed ${written.rows} rows in ${seconds.toFixed(2)} s (${Math.round(written.rows / seconds)} rows/s)`);
console.log(`wrote ${written.files.length} Parquet files, ${(written.bytes / 1024 ** 2).toFixed(2)} MiB, to ${indexDir}\n`);
console.log(written.stats.toString());

// The query: a frame between two of the sampled ones (3.5 s into a clip, the index has 3 s and
// 4 s), through the same features and model, here on the main thread.
const clip = clips[Math.min(1, clips.length - 1)];
const at = Math.min(3.5, (clip.durationSeconds ?? 0) / 2);
const [frame] = await readVideos(clip.path, { ...frameOptions, start: at }).take(1, { progress: 'off' });
const predictor = new OnnxPredictor(embedding);
const [query] = (await predictor.call({ features: [await frameFeatures(frame)] })).vector as Float32Array[];
await predictor.close();

const best: { score: number; row: IndexedRow }[] = [];
const counts = { frame: 0, audio: 0 };
const rows = readParquet<IndexedRow>(indexDir, { columns: ['kind', 'path', 'timestampMs', 'vector'] });
for await (const batch of rows.iterBatches({ batchSize: 4096, progress: 'off' })) {
  for (const row of batch) {
    counts[row.kind]++;
    if (row.kind !== 'frame') continue;
    best.push({ score: cosine(query, row.vector), row });
    best.sort((a, b) => b.score - a.score);
    best.length = Math.min(best.length, 3);
  }
}
console.log(`\nthe index holds ${counts.frame} frames and ${counts.audio} audio segments`);
console.log(`nearest frames to ${basename(clip.path)} at ${(frame.timestampMs / 1000).toFixed(3)} s:`);
for (const { score, row } of best) {
  console.log(`  ${score.toFixed(3)}  ${basename(row.path).padEnd(20)} ${(row.timestampMs / 1000).toFixed(3).padStart(7)} s`);
}
if (best[0]?.row.path !== clip.path) {
  console.error(`the nearest frame is not from ${basename(clip.path)}, the clip the query frame was taken from`);
  process.exitCode = 1;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

/** Four clips of ffmpeg's test sources, each with a tone of its own (h264 and AAC in MP4, 640x360). */
async function writeSampleClips(dir: string): Promise<void> {
  mkdirSync(dir);
  const sources = [
    { name: 'testsrc2', seconds: 10, hz: 220, video: 'testsrc2=size=640x360:rate=25' },
    { name: 'mandelbrot', seconds: 12, hz: 440, video: 'mandelbrot=size=640x360:rate=25' },
    { name: 'smptebars', seconds: 8, hz: 660, video: 'smptebars=size=640x360:rate=25' },
    { name: 'life', seconds: 9, hz: 880, video: 'life=size=640x360:rate=25:ratio=0.3:mold=10:life_color=#00ff88' },
  ];
  const run = promisify(execFile);
  // The ffmpeg sluice itself runs: FFMPEG_PATH, else the system's, else the npm-shipped one.
  const { ffmpeg } = await resolveBinaries();
  const started = performance.now();
  await Promise.all(
    sources.map(({ name, seconds, hz, video }) =>
      // execFile with an argument array: no shell, so paths need no quoting.
      run(ffmpeg, [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
        ...['-f', 'lavfi', '-i', video],
        ...['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=44100`],
        ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
        join(dir, `${name}.mp4`),
      ]),
    ),
  );
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`wrote ${sources.length} sample clips (${sources.map((s) => s.name).join(', ')}) to ${dir} in ${took} s\n`);
}
