import { runToolToEnd } from '../ffmpeg/run-tool.js';
import type { FrameArgs } from './frame-args.js';
import { WHOLE_FILE, type VideoPart } from './video-part.js';

/** Parts begin this much before their keyframe: less than any frame's duration, so the keyframe is theirs however times round. */
const BEFORE_KEYFRAME_S = 0.0001;
/**
 * ffmpeg seeks this much before the asked time in formats that index by decode time (Matroska)
 * when the video has B-frames (its "dts heuristic", 3/23 s). A seek asks for this much past the
 * keyframe, so that it lands on the keyframe either way, when the next keyframe is further off.
 */
const SEEK_HEURISTIC_S = 3 / 23 + 0.001;

/**
 * The parts of a video, planned on the main thread: a long file (over 1.5 × `secondsPerTask`)
 * is cut at keyframes into parts of about `secondsPerTask`, each decoded by its own process;
 * `start` seeks to the keyframe before it. Both need the video's packets (times and keyframe
 * flags, read by ffprobe without decoding) to know each part's first frame index and the time
 * of the frame before it. Every file is probed (about 70 ms of ffprobe, beside the decodes
 * already running), as only its duration tells whether it is long. A decode with audio is one part (one process per file), as is scene
 * detection (a part's first frame has no frame before it to compare with).
 */
export async function planParts(path: string, args: FrameArgs): Promise<VideoPart[]> {
  // Past it the file is decoded whole, where the read's own limit applies.
  const signal = AbortSignal.timeout(args.planTimeoutMs);
  const info = await probeTimes(path, signal);
  const whole: VideoPart = { ...WHOLE_FILE, hasAudio: info.hasAudio, fileStart: info.start };
  const splits = args.audio === null && args.sampling.kind !== 'scene' && info.duration > 1.5 * args.secondsPerTask;
  if (!splits && args.start === null) return [whole];
  const packets = await videoPackets(path, signal);
  const keyframes = packets.filter((p) => p.key).map((p) => p.time);
  const begin = args.start ?? -Infinity;
  const end = args.end ?? Infinity;
  // Where parts start: the keyframe at or before `start`, then keyframes a part's length apart.
  const starts: (number | null)[] = [args.start === null ? null : (keyframes.filter((k) => k <= begin).at(-1) ?? null)];
  if (splits) {
    let last = starts[0] ?? keyframes[0] ?? 0;
    for (const k of keyframes) {
      if (k >= end) break;
      if (k > begin && k >= last + args.secondsPerTask) starts.push((last = k));
    }
  }
  return starts.map((keyframe, i) => {
    const next = starts[i + 1];
    const from = i === 0 ? (args.start ?? null) : keyframe! - BEFORE_KEYFRAME_S;
    const before = from === null ? [] : packets.filter((p) => p.time < from);
    const seek = keyframe === null ? null : seekAround(keyframe, keyframes);
    return {
      from,
      until: next === undefined ? null : next! - BEFORE_KEYFRAME_S,
      seekTo: seek?.seekTo ?? null,
      seekFloor: seek?.seekFloor ?? null,
      firstIndex: args.sampling.kind === 'keyframes' ? before.filter((p) => p.key).length : before.length,
      prevTime: before.length ? Math.max(...before.map((p) => p.time)) : null,
      hasAudio: info.hasAudio,
      fileStart: info.start,
    };
  });
}

/** Where to seek to start at `keyframe`, and the earliest keyframe ffmpeg may land on (see SEEK_HEURISTIC_S). */
function seekAround(keyframe: number, keyframes: readonly number[]): { seekTo: number; seekFloor: number } {
  const after = keyframes.find((k) => k > keyframe) ?? Infinity;
  const seekTo = after - keyframe > 2 * SEEK_HEURISTIC_S ? keyframe + SEEK_HEURISTIC_S : keyframe;
  const seekFloor = keyframes.filter((k) => k <= seekTo - SEEK_HEURISTIC_S).at(-1) ?? keyframes[0] ?? 0;
  return { seekTo, seekFloor: Math.min(seekFloor, keyframe) };
}

interface Packet {
  readonly time: number;
  readonly key: boolean;
}

/** The video stream's packets in presentation order: demuxed by ffprobe, not decoded (about 0.1 s for a minute of 1080p). */
async function videoPackets(path: string, signal: AbortSignal): Promise<Packet[]> {
  const out = await runToolToEnd(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path],
    { signal },
  );
  const packets: Packet[] = [];
  for (const line of out.toString('utf8').split('\n')) {
    const [time, flags] = line.split(',');
    const t = Number(time);
    if (time && Number.isFinite(t)) packets.push({ time: t, key: (flags ?? '').startsWith('K') });
  }
  return packets.sort((a, b) => a.time - b.time);
}

/** The file's duration and start (seconds) and whether it has audio. */
async function probeTimes(path: string, signal: AbortSignal): Promise<{ duration: number; start: number; hasAudio: boolean }> {
  const out = await runToolToEnd(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration,start_time:stream=codec_type', '-of', 'json', path],
    { signal },
  );
  const json = JSON.parse(out.toString('utf8')) as {
    format?: { duration?: string; start_time?: string };
    streams?: { codec_type?: string }[];
  };
  return {
    duration: Number(json.format?.duration ?? 0) || 0,
    start: Number(json.format?.start_time ?? 0) || 0,
    hasAudio: (json.streams ?? []).some((s) => s.codec_type === 'audio'),
  };
}
