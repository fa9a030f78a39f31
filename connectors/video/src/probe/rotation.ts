import type { FfprobeStream } from './ffprobe-json.js';

/**
 * The clockwise rotation, 0, 90, 180 or 270, that ffmpeg's autorotate applies to the stream's
 * frames to display them. The display matrix's `rotation` (ffprobe's side data) is
 * counterclockwise, so it is negated; the legacy `rotate` tag (older muxers and ffprobes) is
 * clockwise already. Angles are rounded to the nearest quarter turn, as autorotate does.
 */
export function displayRotation(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((s) => s.side_data_type === 'Display Matrix' && typeof s.rotation === 'number');
  if (matrix !== undefined) return quarterTurn(-matrix.rotation!);
  const tag = Number(stream.tags?.rotate);
  return Number.isFinite(tag) ? quarterTurn(tag) : 0;
}

function quarterTurn(degrees: number): number {
  const quarters = Math.round(degrees / 90);
  return (((quarters % 4) + 4) % 4) * 90;
}
