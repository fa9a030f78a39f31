import type { FfprobeOutput, FfprobeStream } from './ffprobe-json.js';
import { displayRotation } from './rotation.js';

/** A row of probeVideos: what ffprobe says of one file. Fields of the video stream are null when the file has none. */
export interface VideoProbeRow {
  path: string;
  /** The container's duration, in seconds; null when it does not say. */
  durationSeconds: number | null;
  /** ffprobe's format_name: 'mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'avi', … */
  container: string;
  /** The first video stream's codec ('h264', 'vp9', 'mpeg4', …); cover art is not a video stream. */
  videoCodec: string | null;
  /** As displayed: after rotation, so a portrait phone clip has width < height. */
  width: number | null;
  height: number | null;
  /** Frames per second (the average rate; 23.976… for 24000/1001). */
  fps: number | null;
  /** The clockwise rotation, 0, 90, 180 or 270, applied to the decoded frames to display them. */
  rotation: number | null;
  /** Frames in the video stream when the container records it (mp4, avi), else null (Matroska, WebM). */
  frameCount: number | null;
  /** The container's bit rate in bits per second; null when unknown. */
  bitRate: number | null;
  /** One entry per audio stream, in stream order; empty for a silent file. */
  audio: VideoProbeAudio[];
}

export interface VideoProbeAudio {
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
}

/** The row of one file from ffprobe's JSON. */
export function videoProbeRow(path: string, probe: FfprobeOutput): VideoProbeRow {
  const { format, streams } = probe;
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const rotation = video === undefined ? null : displayRotation(video);
  const turned = rotation === 90 || rotation === 270;
  const width = positiveInteger(video?.width);
  const height = positiveInteger(video?.height);
  return {
    path,
    durationSeconds: finiteNumber(format.duration),
    container: format.format_name ?? '',
    videoCodec: video?.codec_name ?? null,
    width: turned ? height : width,
    height: turned ? width : height,
    fps: video === undefined ? null : (rate(video.avg_frame_rate) ?? rate(video.r_frame_rate)),
    rotation,
    frameCount: positiveInteger(video?.nb_frames),
    bitRate: finiteNumber(format.bit_rate),
    audio: streams.filter((s) => s.codec_type === 'audio').map(audioOf),
  };
}

function audioOf(stream: FfprobeStream): VideoProbeAudio {
  return {
    codec: stream.codec_name ?? null,
    sampleRate: positiveInteger(stream.sample_rate),
    channels: positiveInteger(stream.channels),
  };
}

/** "30000/1001" as a number; null for "0/0" (unknown) and anything else that is no rate. */
function rate(fraction: string | undefined): number | null {
  const match = fraction === undefined ? null : /^(\d+)\/(\d+)$/.exec(fraction);
  if (match === null) return null;
  const [num, den] = [Number(match[1]), Number(match[2])];
  return num > 0 && den > 0 ? num / den : null;
}

function finiteNumber(value: string | number | undefined): number | null {
  if (value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** A whole number above 0, else null (ffprobe writes 0 or leaves the field out when it does not know). */
function positiveInteger(value: string | number | undefined): number | null {
  const number = finiteNumber(value);
  return number !== null && Number.isInteger(number) && number > 0 ? number : null;
}
