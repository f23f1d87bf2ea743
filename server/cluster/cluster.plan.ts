/**
 * Who should run which camera: a pure function of one snapshot of the cluster tables, so every
 * node computes the same plan from the same rows and only carries out its own part (no node
 * is a leader, none can disagree for long). Cameras are balanced by how many each node holds,
 * CPU breaking ties; a camera pinned to a node (its LAN is reachable only from that site) is
 * run by that node or by none.
 */

export interface PlanNode {
  id: string;
  /** When the node (re)started, on the database clock. */
  startedAt: number;
  /** Share of the machine's CPU in use, 0..1 (a tie-break only). */
  cpu: number;
}

export interface PlanCamera {
  id: number;
  pinnedNode: string | null;
}

export interface PlanLease {
  owner: string | null;
  expiresAt: number;
}

export interface PlanInput {
  me: string;
  now: number;
  /** Nodes whose heartbeat is fresh (the caller filters by the lease TTL). */
  nodes: PlanNode[];
  /** Enabled cameras. */
  cameras: PlanCamera[];
  leases: Map<number, PlanLease>;
  /** A node counts for the balance only once it has been up this long (hysteresis on return). */
  joinAfterMs: number;
  /** Most cameras one node gives away per round, so a return moves work gradually. */
  maxReleasesPerRound?: number;
}

export interface Plan {
  /** Free cameras this node should take now. */
  acquire: number[];
  /** Cameras this node holds and should hand over (stop first, then release). */
  release: number[];
  /** How many cameras each counted node should end up with. */
  targets: Map<string, number>;
}

const held = (l: PlanLease | undefined, now: number): string | null => (l && l.owner !== null && l.expiresAt > now ? l.owner : null);

/** Nodes that count for the balance: joined long enough ago; all live ones when none has yet. */
function countedNodes(input: PlanInput): PlanNode[] {
  const settled = input.nodes.filter((n) => n.startedAt <= input.now - input.joinAfterMs);
  return (settled.length ? settled : input.nodes).slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Fair share of each counted node: total cameras runnable on them, split as evenly as possible, first ids taking the remainder. */
function targetsOf(nodes: PlanNode[], cameras: PlanCamera[]): Map<string, number> {
  const ids = new Set(nodes.map((n) => n.id));
  const pinned = new Map<string, number>();
  let free = 0;
  for (const c of cameras) {
    if (c.pinnedNode === null) free++;
    else if (ids.has(c.pinnedNode)) pinned.set(c.pinnedNode, (pinned.get(c.pinnedNode) ?? 0) + 1);
  }
  // Water-filling: unpinned cameras go to the nodes with the fewest in total (pinned included).
  const load = new Map(nodes.map((n) => [n.id, pinned.get(n.id) ?? 0]));
  const order = nodes.slice().sort((a, b) => a.cpu - b.cpu || (a.id < b.id ? -1 : 1));
  for (let i = 0; i < free; i++) {
    let best = order[0]!;
    for (const n of order) if (load.get(n.id)! < load.get(best.id)!) best = n;
    load.set(best.id, load.get(best.id)! + 1);
  }
  return load;
}

export function planAssignment(input: PlanInput): Plan {
  const { me, now } = input;
  const nodes = countedNodes(input);
  const counted = new Set(nodes.map((n) => n.id));
  const targets = nodes.length ? targetsOf(nodes, input.cameras) : new Map<string, number>();
  const owner = new Map(input.cameras.map((c) => [c.id, held(input.leases.get(c.id), now)]));
  const count = new Map<string, number>();
  for (const o of owner.values()) if (o) count.set(o, (count.get(o) ?? 0) + 1);
  const release: number[] = [];
  const acquire: number[] = [];

  // Mine but pinned elsewhere: hand over at once (or drop: the other site runs it).
  const mine = input.cameras.filter((c) => owner.get(c.id) === me).sort((a, b) => b.id - a.id);
  for (const c of mine) if (c.pinnedNode !== null && c.pinnedNode !== me) release.push(c.id);
  let myCount = (count.get(me) ?? 0) - release.length;
  const target = targets.get(me) ?? 0;
  // Over my share while a counted node is under its own: give back a few per round.
  const someoneUnder = nodes.some((n) => n.id !== me && (count.get(n.id) ?? 0) < targets.get(n.id)!);
  if (counted.has(me) && myCount > target && someoneUnder) {
    const excess = Math.min(myCount - target, input.maxReleasesPerRound ?? 1);
    const movable = mine.filter((c) => c.pinnedNode === null && !release.includes(c.id)).slice(0, excess);
    release.push(...movable.map((c) => c.id));
    myCount -= movable.length;
  }

  // Free cameras: pinned ones to their node; the rest handed out in camera order to the counted
  // node furthest under its target (the same answer on every node, so they do not race).
  const room = new Map(nodes.map((n) => [n.id, targets.get(n.id)! - (count.get(n.id) ?? 0)]));
  if (room.has(me)) room.set(me, target - myCount);
  const freeCams = input.cameras.filter((c) => owner.get(c.id) === null).sort((a, b) => a.id - b.id);
  for (const c of freeCams) {
    if (c.pinnedNode !== null) {
      if (c.pinnedNode === me) acquire.push(c.id);
      continue;
    }
    let best: string | undefined;
    for (const n of nodes) if (room.get(n.id)! > 0 && (best === undefined || room.get(n.id)! > room.get(best)!)) best = n.id;
    if (best === undefined) break;
    room.set(best, room.get(best)! - 1);
    if (best === me) acquire.push(c.id);
  }
  return { acquire, release, targets };
}
