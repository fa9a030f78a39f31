/** An ffmpeg release, major.minor (5.1 for "5.1.9-0+deb12u1"). */
export interface FfmpegVersion {
  readonly major: number;
  readonly minor: number;
}

/** What a build that names no release is taken for: the oldest that sluice's arguments are written for. */
const UNKNOWN: FfmpegVersion = { major: 4, minor: 0 };

/**
 * The first libavcodec version of each release: a git build ("ffmpeg version N-47683-g0e8eb07980",
 * as the npm-shipped one is) names no release, but its libavcodec line places it after one.
 */
const RELEASES: readonly (readonly [lavcMajor: number, lavcMinor: number, FfmpegVersion])[] = [
  [58, 18, { major: 4, minor: 0 }],
  [58, 35, { major: 4, minor: 1 }],
  [58, 54, { major: 4, minor: 2 }],
  [58, 91, { major: 4, minor: 3 }],
  [58, 134, { major: 4, minor: 4 }],
  [59, 18, { major: 5, minor: 0 }],
  [59, 37, { major: 5, minor: 1 }],
  [60, 3, { major: 6, minor: 0 }],
  [60, 31, { major: 6, minor: 1 }],
  [61, 3, { major: 7, minor: 0 }],
  [61, 19, { major: 7, minor: 1 }],
  [62, 11, { major: 8, minor: 0 }],
];

/**
 * The release in `ffmpeg -version`'s output: from its first line ("ffmpeg version 5.1.9-0+deb12u1",
 * "ffmpeg version n6.1.1", "ffmpeg version 4.1"), else from the libavcodec line of a git build,
 * else {4, 0}.
 */
export function parseFfmpegVersion(text: string): FfmpegVersion {
  const release = /^ffmpeg version n?(\d+)\.(\d+)/.exec(text);
  if (release !== null) return { major: Number(release[1]), minor: Number(release[2]) };
  const lavc = /^libavcodec\s+(\d+)\.\s*(\d+)\./m.exec(text);
  if (lavc === null) return UNKNOWN;
  const [major, minor] = [Number(lavc[1]), Number(lavc[2])];
  let found = UNKNOWN;
  for (const [lavcMajor, lavcMinor, version] of RELEASES) {
    if (major > lavcMajor || (major === lavcMajor && minor >= lavcMinor)) found = version;
  }
  return found;
}
