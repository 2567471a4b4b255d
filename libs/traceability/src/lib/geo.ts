/** GeoJSON (RFC 7946) Point / Polygon checks for plots, and the map point shown for a plot. */

type Position = [number, number];

function positionProblem(p: unknown, where: string): string | null {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return `${where} must be [longitude, latitude]`;
  }
  const [lng, lat] = p as number[];
  if (lng < -180 || lng > 180) return `${where}: longitude ${lng} is outside -180..180`;
  if (lat < -90 || lat > 90) return `${where}: latitude ${lat} is outside -90..90 (GeoJSON puts longitude first)`;
  return null;
}

/** Why a value is not an acceptable plot geometry, or null. */
export function geometryProblem(g: unknown): string | null {
  if (!g || typeof g !== 'object') return 'must be a GeoJSON Point or Polygon object';
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  const extra = Object.keys(g).filter((k) => !['type', 'coordinates', 'bbox'].includes(k));
  if (extra.length) return `unexpected member(s) ${extra.join(', ')}`;
  if (type === 'Point') return positionProblem(coordinates, 'coordinates');
  if (type !== 'Polygon') return `type must be "Point" or "Polygon", not ${JSON.stringify(type)}`;
  if (!Array.isArray(coordinates) || coordinates.length < 1 || coordinates.length > 20) return 'Polygon coordinates must be 1-20 linear rings';
  for (const [r, ring] of coordinates.entries()) {
    if (!Array.isArray(ring) || ring.length < 4 || ring.length > 2000) return `ring ${r} must have 4-2000 positions`;
    for (const [i, p] of ring.entries()) {
      const problem = positionProblem(p, `ring ${r} position ${i}`);
      if (problem) return problem;
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) return `ring ${r} must be closed (last position equal to the first)`;
    if (Math.abs(ringArea(ring as Position[])) === 0) return `ring ${r} encloses no area`;
  }
  return null;
}

function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0; i < ring.length - 1; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

/** [longitude, latitude] to put on a map: the point itself, or the centroid of a polygon's outer ring. */
export function mapPoint(g: Record<string, unknown>): Position {
  if (g['type'] === 'Point') {
    const [lng, lat] = g['coordinates'] as number[];
    return [lng, lat];
  }
  const ring = (g['coordinates'] as Position[][])[0];
  const area = ringArea(ring);
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const f = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    cx += (ring[i][0] + ring[i + 1][0]) * f;
    cy += (ring[i][1] + ring[i + 1][1]) * f;
  }
  return [Number((cx / (6 * area)).toFixed(6)), Number((cy / (6 * area)).toFixed(6))];
}
