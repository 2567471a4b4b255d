import { geometryProblem, mapPoint } from './geo';

describe('plot geometry', () => {
  it('accepts GeoJSON points and closed polygons and gives a map point', () => {
    expect(geometryProblem({ type: 'Point', coordinates: [105.88, 22.27] })).toBeNull();
    const square = { type: 'Polygon', coordinates: [[[105.0, 22.0], [105.2, 22.0], [105.2, 22.2], [105.0, 22.2], [105.0, 22.0]]] };
    expect(geometryProblem(square)).toBeNull();
    expect(mapPoint(square)).toEqual([105.1, 22.1]);
  });

  it('explains what is wrong', () => {
    expect(geometryProblem({ type: 'Point', coordinates: [22.27, 105.88] })).toMatch(/latitude 105.88 is outside/);
    expect(geometryProblem({ type: 'LineString', coordinates: [] })).toMatch(/Point" or "Polygon/);
    expect(geometryProblem({ type: 'Polygon', coordinates: [[[105, 22], [105.1, 22], [105.1, 22.1], [105, 22.2]]] })).toMatch(/closed/);
    expect(geometryProblem({ type: 'Polygon', coordinates: [[[105, 22], [105, 22], [105, 22], [105, 22]]] })).toMatch(/no area/);
    expect(geometryProblem({ type: 'Point', coordinates: [105, 22], crs: 'x' })).toMatch(/unexpected member/);
    expect(geometryProblem('POINT(1 2)')).toMatch(/GeoJSON/);
  });
});
