import { describe, expect, it } from 'vitest';
import { planAssignment, type PlanCamera, type PlanInput, type PlanLease, type PlanNode } from '../../../server/cluster/cluster.plan.js';

const NOW = 1_000_000;
const node = (id: string, startedAt = 0, cpu = 0.1): PlanNode => ({ id, startedAt, cpu });
const cams = (n: number, pins: Record<number, string> = {}): PlanCamera[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, pinnedNode: pins[i + 1] ?? null }));
const lease = (owner: string | null, expiresAt = NOW + 5000): PlanLease => ({ owner, expiresAt });

/** Runs every node's plan on one shared lease table until nothing changes; returns the rounds it took. */
function settle(nodes: PlanNode[], cameras: PlanCamera[], leases: Map<number, PlanLease>, rounds = 20, extra: Partial<PlanInput> = {}): number {
  for (let r = 1; r <= rounds; r++) {
    let changed = false;
    for (const n of nodes) {
      const p = planAssignment({ me: n.id, now: NOW, nodes, cameras, leases, joinAfterMs: 5000, ...extra });
      for (const id of p.release) {
        leases.set(id, lease(null, 0));
        changed = true;
      }
      for (const id of p.acquire) {
        const l = leases.get(id);
        expect(l && l.owner !== null && l.expiresAt > NOW).toBeFalsy(); // never takes a camera someone holds
        leases.set(id, lease(n.id));
        changed = true;
      }
    }
    if (!changed) return r;
  }
  throw new Error('did not settle');
}
const counts = (leases: Map<number, PlanLease>) => {
  const c: Record<string, number> = {};
  for (const l of leases.values()) if (l.owner) c[l.owner] = (c[l.owner] ?? 0) + 1;
  return c;
};

describe('camera assignment', () => {
  it('spreads free cameras evenly, every camera to exactly one node, in one round', () => {
    const leases = new Map<number, PlanLease>();
    const nodes = [node('a'), node('b'), node('c')];
    expect(settle(nodes, cams(6), leases)).toBe(2); // one round of taking, one with nothing to do
    expect(counts(leases)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('gives the remainder to the less busy CPU', () => {
    const leases = new Map<number, PlanLease>();
    settle([node('a', 0, 0.9), node('b', 0, 0.2)], cams(3), leases);
    expect(counts(leases)).toEqual({ a: 1, b: 2 });
  });

  it("moves a dead node's cameras to the others once its leases expire, not before", () => {
    const leases = new Map<number, PlanLease>();
    settle([node('a'), node('b'), node('c')], cams(6), leases);
    const survivors = [node('a'), node('b')];
    // c stopped heartbeating but its leases still run: nobody takes them yet (fencing)
    const early = planAssignment({ me: 'a', now: NOW, nodes: survivors, cameras: cams(6), leases, joinAfterMs: 5000 });
    expect(early.acquire).toEqual([]);
    for (const [id, l] of leases) if (l.owner === 'c') leases.set(id, lease('c', NOW - 1));
    settle(survivors, cams(6), leases);
    expect(counts(leases)).toEqual({ a: 3, b: 3 });
  });

  it('lets a returning node take work back only after it has been up joinAfterMs, one camera per round per node', () => {
    const leases = new Map<number, PlanLease>();
    settle([node('a'), node('b')], cams(6), leases);
    const fresh = [node('a'), node('b'), node('c', NOW - 1000)];
    expect(settle(fresh, cams(6), leases)).toBe(1); // c not counted yet: nothing moves
    expect(counts(leases)).toEqual({ a: 3, b: 3 });
    const settled = [node('a'), node('b'), node('c', NOW - 6000)];
    const first = planAssignment({ me: 'a', now: NOW, nodes: settled, cameras: cams(6), leases, joinAfterMs: 5000 });
    expect(first.release).toHaveLength(1);
    settle(settled, cams(6), leases);
    expect(counts(leases)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('does not flap: a settled balance stays as it is, also with an odd count', () => {
    const leases = new Map<number, PlanLease>();
    const nodes = [node('a'), node('b'), node('c')];
    settle(nodes, cams(7), leases);
    const before = [...leases.entries()].map(([k, v]) => [k, v.owner]);
    for (const n of nodes) {
      const p = planAssignment({ me: n.id, now: NOW, nodes, cameras: cams(7), leases, joinAfterMs: 5000 });
      expect(p).toMatchObject({ acquire: [], release: [] });
    }
    expect([...leases.entries()].map(([k, v]) => [k, v.owner])).toEqual(before);
  });

  it('keeps pinned cameras on their node, or on none while that node is away', () => {
    const leases = new Map<number, PlanLease>();
    const pins = { 1: 'c', 2: 'c' };
    settle([node('a'), node('b'), node('c')], cams(6, pins), leases);
    expect(leases.get(1)!.owner).toBe('c');
    expect(leases.get(2)!.owner).toBe('c');
    expect(counts(leases)).toEqual({ a: 2, b: 2, c: 2 });
    for (const [id, l] of leases) if (l.owner === 'c') leases.set(id, lease('c', NOW - 1));
    settle([node('a'), node('b')], cams(6, pins), leases);
    expect(leases.get(1)!.owner === 'c' && leases.get(1)!.expiresAt < NOW).toBe(true); // not taken by a or b
    expect(counts(leases)).toMatchObject({ a: 2, b: 2 });
  });

  it('hands a camera pinned elsewhere to its node', () => {
    const leases = new Map<number, PlanLease>([[1, lease('a')]]);
    const p = planAssignment({ me: 'a', now: NOW, nodes: [node('a'), node('b')], cameras: cams(1, { 1: 'b' }), leases, joinAfterMs: 0 });
    expect(p.release).toEqual([1]);
  });

  it('lets a lone node that just started take everything rather than leave cameras unwatched', () => {
    const leases = new Map<number, PlanLease>();
    settle([node('a', NOW - 10)], cams(4), leases);
    expect(counts(leases)).toEqual({ a: 4 });
  });
});
