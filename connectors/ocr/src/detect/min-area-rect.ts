/** A rotated rectangle: its corners clockwise from the top-left one, in pixels. */
export type Quad = readonly [readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number]];

export interface RotatedRect {
  readonly cx: number;
  readonly cy: number;
  /** Along `angle`. */
  readonly width: number;
  readonly height: number;
  /** Radians, of the width side. */
  readonly angle: number;
}

/**
 * The smallest-area rectangle around points (flat x, y pairs): the convex hull (monotone chain),
 * then each hull edge as a side (rotating calipers). OpenCV's minAreaRect, which PaddleOCR uses.
 */
export function minAreaRect(points: readonly number[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 1) return { cx: hull[0][0], cy: hull[0][1], width: 0, height: 0, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i];
    const [bx, by] = hull[(i + 1) % hull.length];
    const length = Math.hypot(bx - ax, by - ay);
    if (length === 0) continue;
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const [px, py] of hull) {
      const u = px * ux + py * uy;
      const v = -px * uy + py * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return best ?? { cx: hull[0][0], cy: hull[0][1], width: 0, height: 0, angle: 0 };
}

/** The rectangle grown by `by` pixels on every side. */
export function growRect(rect: RotatedRect, by: number): RotatedRect {
  return { ...rect, width: rect.width + 2 * by, height: rect.height + 2 * by };
}

/**
 * The rectangle as a text line: its width the longer side, turned by less than a quarter turn
 * either way, so that its first corner is the start of the line's top edge.
 */
export function asLine(rect: RotatedRect): RotatedRect {
  let { width, height, angle } = rect;
  if (height > width) {
    [width, height] = [height, width];
    angle += Math.PI / 2;
  }
  while (angle > Math.PI / 2) angle -= Math.PI;
  while (angle <= -Math.PI / 2) angle += Math.PI;
  return { ...rect, width, height, angle };
}

/** The corners clockwise from the line's top-left one (image space: y grows down). */
export function rectCorners({ cx, cy, width, height, angle }: RotatedRect): Quad {
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const hw = width / 2;
  const hh = height / 2;
  return [
    [cx - ux * hw + uy * hh, cy - uy * hw - ux * hh],
    [cx + ux * hw + uy * hh, cy + uy * hw - ux * hh],
    [cx + ux * hw - uy * hh, cy + uy * hw + ux * hh],
    [cx - ux * hw - uy * hh, cy - uy * hw + ux * hh],
  ];
}

function convexHull(points: readonly number[]): [number, number][] {
  const sorted: [number, number][] = [];
  for (let i = 0; i < points.length; i += 2) sorted.push([points[i], points[i + 1]]);
  sorted.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}
