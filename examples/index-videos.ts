/**
 * Index a folder of videos: a vector per sampled frame and per audio segment, and the text on
 * screen.
 *
 *   probe the clips (ffprobe) → read a frame a second as a JPEG thumbnail and the audio in
 *   5-second segments, in one ffmpeg decode per file → features per row (task pool: pixels
 *   pooled to 16 × 16 × 3, or audio energies) → embed them with an ONNX MLP (actor pool) →
 *   write kind, path, timestamp, thumbnail and vector to Parquet; then embed one more frame of
 *   a clip and look up its nearest frames in the index
 *
 *   read a frame a second again, 640 px wide → OCR it (@sluice/ocr: PaddleOCR detection and
 *   recognition, two actor pools) → write path, timestamp and text to Parquet; then find the
 *   clips and times where given phrases are on screen
 *
 * Run: pnpm demo:videos [folder of videos] [phrase…]. Without a folder it indexes sample clips
 * that it writes first with ffmpeg's test sources and captions burned in with drawtext (no
 * network, no system font: the font is pdfjs-dist's Liberation Sans), and looks up phrases of
 * those captions. Output: $SLUICE_DEMO_OUT, default <tmp>/sluice-video-demo. The model is a
 * 768 → 128 perceptron with fixed random weights, written by @sluice/onnx: a stand-in for a
 * real image or audio embedding model.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ocrImages } from '@sluice/ocr';
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

/** A sampled frame's text, as written to Parquet: its lines in reading order, '\n' between them. */
interface FrameText {
  path: string;
  timestampMs: number;
  text: string;
}

/** A caption burned into a sample clip: on screen from `from` to `to` seconds (`to` excluded). */
interface Caption {
  text: string;
  from: number;
  to: number;
}

/** The sample clips: ffmpeg's test sources, each with a tone and captions of its own (h264 and AAC in MP4, 640x360). */
const SAMPLE_CLIPS: { name: string; seconds: number; hz: number; video: string; captions: Caption[] }[] = [
  {
    name: 'testsrc2',
    seconds: 10,
    hz: 220,
    video: 'testsrc2=size=640x360:rate=25',
    captions: [
      { text: 'quarterly revenue grew 12 percent', from: 2, to: 4 },
      { text: 'questions from the audience', from: 6, to: 9 },
    ],
  },
  {
    name: 'mandelbrot',
    seconds: 12,
    hz: 440,
    video: 'mandelbrot=size=640x360:rate=25',
    captions: [
      { text: 'install the safety valve', from: 3, to: 6 },
      { text: 'check the pressure gauge', from: 8, to: 10 },
    ],
  },
  {
    name: 'smptebars',
    seconds: 8,
    hz: 660,
    video: 'smptebars=size=640x360:rate=25',
    captions: [{ text: 'stand by for the next broadcast', from: 4, to: 7 }],
  },
  {
    name: 'life',
    seconds: 9,
    hz: 880,
    video: 'life=size=640x360:rate=25:ratio=0.3:mold=10:life_color=#00ff88',
    captions: [{ text: 'the colony doubled overnight', from: 1, to: 3 }],
  },
];

/**
 * Phrases looked up in the sample clips' text; the clips and times each should be found at are
 * those of the captions that hold its words. 'Audience Questions' differs from its caption in
 * case and word order; 'fire exit' is in no caption.
 */
const SAMPLE_PHRASES = [
  'revenue grew',
  'safety valve',
  'pressure gauge',
  'next broadcast',
  'colony doubled',
  'Audience Questions',
  'fire exit',
];

const outDir = process.env.SLUICE_DEMO_OUT ?? join(os.tmpdir(), 'sluice-video-demo');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let folder = process.argv[2];
const samples = folder === undefined;
if (folder === undefined) {
  folder = join(outDir, 'sample-videos');
  await writeSampleClips(folder);
}
const phrases = process.argv.length > 3 ? process.argv.slice(3) : samples ? SAMPLE_PHRASES : [];

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

// On-screen text: a frame a second again, 640 px wide this time (the index's 160-px thumbnails
// are too small to read), through OCR. Not sceneThreshold: a caption coming on over a moving
// picture scores 0.02-0.17 as a scene change in these clips, under any threshold that passes
// over ordinary motion; a frame a second sees each caption that stays on screen a second.
const textDir = join(outDir, 'text');
const frameTexts = ocrImages(readVideos(folder, { fps: 1, size: { maxSide: 640 }, onError: 'skip' }), {
  // The JPEG frames; dropped once the detector has cut their lines out.
  imageColumn: 'data',
  // The detector's input at the frames' own size (its default, 960, is for pages).
  detector: { maxSide: 640 },
}).selectColumns(['path', 'timestampMs', 'text']);
console.log();
frameTexts.explain();
console.log();
const ocrStarted = performance.now();
const textWritten = await frameTexts.writeParquet(textDir, { errorLog });
const ocrSeconds = (performance.now() - ocrStarted) / 1000;
console.log(
  `read the text of ${textWritten.rows} frames in ${ocrSeconds.toFixed(2)} s (${(textWritten.rows / ocrSeconds).toFixed(1)} frames/s)`,
);
console.log(`wrote ${textWritten.files.length} Parquet files, ${(textWritten.bytes / 1024).toFixed(1)} KiB, to ${textDir}\n`);
console.log(textWritten.stats.toString());

// The text search: the frames whose text holds a phrase, or failing that all of its words, in
// runs of consecutive sampled frames per clip. Case, spaces and punctuation do not count: the
// recogniser reads letters well but its word spaces are a guess (some fall inside words).
const texts: FrameText[] = [];
for await (const batch of readParquet<FrameText>(textDir).iterBatches({ batchSize: 4096, progress: 'off' })) texts.push(...batch);
texts.sort((a, b) => a.path.localeCompare(b.path) || a.timestampMs - b.timestampMs);
const withText = texts.filter((t) => t.text.trim() !== '');
console.log(`\n${withText.length} of ${texts.length} frames have text on screen:`);
for (const t of withText) {
  console.log(`  ${basename(t.path).padEnd(16)} ${clock(t.timestampMs)}  ${t.text.replace(/\n/g, ' | ')}`);
}
console.log();
for (const phrase of phrases) {
  const found = findPhrase(phrase, texts);
  if (found.length === 0) console.log(`"${phrase}" → on screen in no frame`);
  for (const { path, fromMs, toMs, how } of found) {
    const span = toMs > fromMs ? ` (to ${clock(toMs)})` : '';
    console.log(`"${phrase}" → ${basename(path)} at ${clock(fromMs)}${span}${how === 'words' ? ', all its words' : ''}`);
  }
  if (samples) checkFound(phrase, found);
}

/** A time in a clip as mm:ss.s. */
function clock(ms: number): string {
  const seconds = ms / 1000;
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;
}

/** Lower case, and words of letters and digits with single spaces between them. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Lower case letters and digits, nothing between them. */
function squeeze(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

interface Found {
  path: string;
  /** The first and last sampled frames of the run that hold the phrase. */
  fromMs: number;
  toMs: number;
  /** 'phrase': the text holds the phrase itself; 'words': all its words, in another order or apart. */
  how: 'phrase' | 'words';
}

/**
 * Runs of consecutive frames (texts sorted by path and time) whose text holds the phrase or all
 * its words, compared squeezed (so a word may also match inside a longer one).
 */
function findPhrase(phrase: string, frames: FrameText[]): Found[] {
  const wanted = squeeze(phrase);
  const words = normalise(phrase).split(' ');
  const found: Found[] = [];
  if (wanted === '') return found;
  let previous: FrameText | undefined;
  for (const frame of frames) {
    const text = squeeze(frame.text);
    const how = text.includes(wanted) ? 'phrase' : words.every((w) => text.includes(w)) ? 'words' : null;
    const last = found.at(-1);
    if (how === null) {
      previous = frame;
      continue;
    }
    // A run goes on while the frame just before (in the same clip) held it too.
    if (last !== undefined && previous !== undefined && last.path === frame.path && last.toMs === previous.timestampMs) {
      last.toMs = frame.timestampMs;
      if (how === 'phrase') last.how = 'phrase';
    } else {
      found.push({ path: frame.path, fromMs: frame.timestampMs, toMs: frame.timestampMs, how });
    }
    previous = frame;
  }
  return found;
}

/** With the sample clips: each phrase must be found in the clips whose captions hold its words, when they are on screen. */
function checkFound(phrase: string, found: Found[]): void {
  const words = normalise(phrase).split(' ');
  const expected = SAMPLE_CLIPS.flatMap(({ name, captions }) =>
    captions
      .filter((c) => words.every((w) => normalise(c.text).split(' ').includes(w)))
      .map((caption) => ({ clip: `${name}.mp4`, caption })),
  );
  const wrong = found.filter(
    (f) =>
      !expected.some(({ clip, caption }) => basename(f.path) === clip && f.fromMs >= caption.from * 1000 && f.toMs < caption.to * 1000),
  );
  const missed = expected.filter(
    ({ clip, caption }) => !found.some((f) => basename(f.path) === clip && f.fromMs < caption.from * 1000 + 1000),
  );
  for (const f of wrong) console.error(`  "${phrase}" was not on screen in ${basename(f.path)} at ${clock(f.fromMs)}`);
  for (const { clip, caption } of missed)
    console.error(`  "${phrase}" was missed in ${clip}, on screen from ${clock(caption.from * 1000)}`);
  if (wrong.length + missed.length > 0) process.exitCode = 1;
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

/**
 * The sample clips, their captions burned in by ffmpeg's drawtext filter (white on a dark box
 * near the bottom) in pdfjs-dist's Liberation Sans: a font file from npm, so that neither a
 * system font nor fontconfig is needed.
 */
async function writeSampleClips(dir: string): Promise<void> {
  mkdirSync(dir);
  const font = createRequire(import.meta.url).resolve('pdfjs-dist/standard_fonts/LiberationSans-Regular.ttf');
  const run = promisify(execFile);
  // The ffmpeg sluice itself runs: FFMPEG_PATH, else the system's, else the npm-shipped one.
  const { ffmpeg } = await resolveBinaries();
  const started = performance.now();
  await Promise.all(
    SAMPLE_CLIPS.map(({ name, seconds, hz, video, captions }) => {
      const drawtext = captions.map(({ text, from, to }) =>
        [
          `drawtext=fontfile=${filterValue(font)}:text=${filterValue(text)}:expansion=none`,
          `enable=${filterValue(`gte(t,${from})*lt(t,${to})`)}`,
          'fontsize=30:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=12:x=(w-text_w)/2:y=h-text_h-40',
        ].join(':'),
      );
      // execFile with an argument array: no shell, so paths need no quoting (filter values do).
      return run(ffmpeg, [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
        ...['-f', 'lavfi', '-i', video],
        ...['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=44100`],
        ...['-vf', drawtext.join(',')],
        ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
        join(dir, `${name}.mp4`),
      ]);
    }),
  );
  const took = ((performance.now() - started) / 1000).toFixed(1);
  const captions = SAMPLE_CLIPS.reduce((n, c) => n + c.captions.length, 0);
  console.log(
    `wrote ${SAMPLE_CLIPS.length} sample clips (${SAMPLE_CLIPS.map((s) => s.name).join(', ')}), ${captions} captions, to ${dir} in ${took} s\n`,
  );
}

/**
 * A value for an option of a filter in an ffmpeg filtergraph, escaped twice: for the option
 * parser (\ ' :) and then for the graph parser (\ ' [ ] , ;).
 */
function filterValue(value: string): string {
  return value.replace(/[\\':]/g, '\\$&').replace(/[\\'[\],;]/g, '\\$&');
}
