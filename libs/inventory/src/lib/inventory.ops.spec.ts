import fc from 'fast-check';
import { planAllocation } from './inventory.ops';

describe('planAllocation (FEFO pick over sorted lots)', () => {
  it('takes from the first lots first and stops when covered', () => {
    const lots = [
      { id: 'soon', onHand: 10 },
      { id: 'later', onHand: 10 },
      { id: 'no-expiry', onHand: 100 },
    ];
    expect(planAllocation(lots, 25)).toEqual({
      takes: [
        { lotId: 'soon', quantity: 10 },
        { lotId: 'later', quantity: 10 },
        { lotId: 'no-expiry', quantity: 5 },
      ],
      missing: 0,
    });
    expect(planAllocation(lots, 4)).toEqual({ takes: [{ lotId: 'soon', quantity: 4 }], missing: 0 });
  });

  it('reports what cannot be covered and skips empty lots', () => {
    expect(planAllocation([{ id: 'a', onHand: 0 }, { id: 'b', onHand: 3 }], 5)).toEqual({ takes: [{ lotId: 'b', quantity: 3 }], missing: 2 });
    expect(planAllocation([], 1)).toEqual({ takes: [], missing: 1 });
  });

  it('never takes more than a lot holds nor more than needed, and covers whenever the lots suffice', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { maxLength: 10 }), fc.integer({ min: 1, max: 300 }), (sizes, need) => {
        const lots = sizes.map((onHand, i) => ({ id: `l${i}`, onHand }));
        const { takes, missing } = planAllocation(lots, need);
        const taken = takes.reduce((s, t) => s + t.quantity, 0);
        const total = sizes.reduce((s, n) => s + n, 0);
        expect(taken + missing).toBe(need);
        expect(missing).toBe(Math.max(0, need - total));
        for (const t of takes) expect(t.quantity).toBeLessThanOrEqual(lots.find((l) => l.id === t.lotId)!.onHand);
        // FEFO: every lot before the last one used is emptied.
        const used = takes.map((t) => Number(t.lotId.slice(1)));
        for (let i = 0; i < used.length - 1; i++) expect(takes[i].quantity).toBe(lots[used[i]].onHand);
      }),
    );
  });
});
