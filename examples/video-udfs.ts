/**
 * The video demo's worker function: a fixed-length feature vector per frame or audio segment.
 * It lives in a module of its own because workers import the module a UDF comes from: a
 * module with no job at its top level loads in a worker without side effects.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { AudioSegmentRow, VideoFrameRow, VideoRow } from '@sluice/video';
import { udf } from 'sluice';

/** Features per row: 16 × 16 cells × 3 colours for a frame, 768 energies for an audio segment. */
export const FEATURES = 768;
const GRID = 16;

export interface FeatureRow {
  kind: 'frame' | 'audio';
  path: string;
  /** A frame's presentation time, or an audio segment's start, in milliseconds. */
  timestampMs: number;
  /** The frame's JPEG thumbnail; null for audio. */
  thumbnail: Uint8Array | null;
  features: Float32Array;
}

/** A row of readVideos (with `audio`) as a FeatureRow. */
export async function videoFeatures(row: VideoRow): Promise<FeatureRow> {
  if (row.kind === 'audio') {
    return { kind: 'audio', path: row.path, timestampMs: row.startMs, thumbnail: null, features: audioFeatures(row) };
  }
  return { kind: 'frame', path: row.path, timestampMs: row.timestampMs, thumbnail: row.data, features: await frameFeatures(row) };
}

export const videoFeaturesOnWorkers = udf(import.meta.url, videoFeatures);

/**
 * The frame's pixels averaged over a 16 × 16 grid (a tiny colour layout), each of the 768
 * values scaled to [0, 1] and then centred on the frame's own mean: two frames alike in
 * layout and colour get close vectors.
 */
export async function frameFeatures(frame: VideoFrameRow): Promise<Float32Array> {
  const image = await loadImage(frame.data);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, image.width, image.height);
  const sums = new Float64Array(FEATURES);
  const counts = new Float64Array(GRID * GRID);
  for (let y = 0; y < height; y++) {
    const cellRow = Math.floor((y * GRID) / height) * GRID;
    for (let x = 0; x < width; x++) {
      const cell = cellRow + Math.floor((x * GRID) / width);
      const at = (y * width + x) * 4; // RGBA
      sums[cell * 3] += data[at];
      sums[cell * 3 + 1] += data[at + 1];
      sums[cell * 3 + 2] += data[at + 2];
      counts[cell]++;
    }
  }
  const features = new Float32Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) features[i] = sums[i] / counts[Math.floor(i / 3)] / 255;
  const mean = features.reduce((s, v) => s + v, 0) / FEATURES;
  for (let i = 0; i < FEATURES; i++) features[i] -= mean;
  return features;
}

/**
 * The segment's loudness over time: the log RMS energy of 768 consecutive windows that cover
 * it (a short last segment has shorter windows). Nothing about pitch: two tones of the same
 * loudness look alike here.
 */
export function audioFeatures(segment: AudioSegmentRow): Float32Array {
  const { samples } = segment;
  const features = new Float32Array(FEATURES);
  for (let w = 0; w < FEATURES; w++) {
    const from = Math.floor((w * samples.length) / FEATURES);
    const to = Math.max(from + 1, Math.floor(((w + 1) * samples.length) / FEATURES));
    let sum = 0;
    for (let i = from; i < to && i < samples.length; i++) sum += samples[i] * samples[i];
    features[w] = Math.log10(Math.sqrt(sum / (to - from)) + 1e-6);
  }
  return features;
}
