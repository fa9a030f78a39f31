/** The audio outputs log each audio frame through an `ashowinfo@audio` filter: its first line gives the audio's start. */
export const AUDIO_INFO_FILTER = 'ashowinfo@audio';

const LINE = /^\[ashowinfo@audio @ [^\]]+\] (.*)$/;
const PTS_TIME = /\bpts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/;

/**
 * A stderr line of the audio's ashowinfo: its time in ms, or null for its other lines; undefined
 * when the line is not ashowinfo's. Only the first frame's time is used (a start printed with six
 * significant digits is exact to the ms within the first 1,000 s).
 */
export function ashowinfoTimeMs(line: string): number | null | undefined {
  const match = LINE.exec(line);
  if (match === null) return undefined;
  const time = PTS_TIME.exec(match[1]);
  return time === null ? null : Number(time[1]) * 1000;
}
