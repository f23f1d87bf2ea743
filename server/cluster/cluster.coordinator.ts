import type { Logger } from '../shared/log.js';
import { cameraLease, type ClusterRepository, type LeaseRow, type NodeRow } from '../store/cluster.repository.js';
import { planAssignment, type PlanLease } from './cluster.plan.js';

/** What the coordinator starts and stops: one camera's ingest and detection on this node. */
export interface LeasedWork {
  startCamera(cameraId: number): Promise<void>;
  stopCamera(cameraId: number): Promise<void>;
  /** After the lease is gone from this node (what follows the owner, such as its event subscription, stops too). */
  dropped(cameraId: number): Promise<void>;
  /** Right after the lease is taken, before the camera starts: what the previous owner left unfinished (its open events). */
  taken?(cameraId: number): Promise<void>;
}

/** Work that must run once in the cluster (notification outbox …): started while this node holds its lease. */
export interface ClusterJob {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CoordinatorDeps {
  nodeId: string;
  url: string;
  version: string;
  /** Published with every heartbeat (cluster.keys.ts): a node with other keys is refused at its start. */
  keysFingerprint?: string;
  repo: ClusterRepository;
  /**
   * Enabled cameras with a fingerprint of what their running depends on (streams, settings,
   * credentials): an edit made on another node restarts the camera here. Not updated_at: the
   * camera's state (online, offline) changes it too.
   */
  cameras: () => Promise<{ id: number; version: string }[]>;
  work: LeasedWork;
  jobs: ClusterJob[];
  config: { leaseTtlMs: number; heartbeatMs: number; joinAfterMs: number };
  /** This process's CPU share, 0..1. */
  cpu: () => number;
  log: Logger;
  monotonic?: () => number;
}

export const jobLease = (name: string) => `job:${name}`;

/**
 * One node's side of the cluster (issue 16): every heartbeat it renews what it holds, stops
 * what it lost, and carries out its part of the shared plan (cluster.plan.ts). The order is
 * what keeps a camera on one node: a lost lease is forgotten (so the fence refuses the old
 * pipeline's writes) before its work stops; a handed-over camera stops before its lease is
 * released; a new owner only takes a lease that is free or expired. A node that cannot renew
 * within the TTL (paused, cut off from the database) stops everything on its own.
 */
export class ClusterCoordinator {
  private readonly held = new Map<number, number>();
  private readonly jobsHeld = new Map<string, number>();
  private readonly seenVersion = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /**
   * Stops of cameras this node lost, one after another, outside the rounds: stopping a camera
   * (its ffmpeg, its pipeline) takes seconds on a loaded machine, and a round that waited for
   * them would renew the other leases too late and lose those as well, over and over.
   */
  private stops: Promise<void> = Promise.resolve();
  /** When the round in progress began (undefined between rounds), and whether a renewal runs beside it. */
  private roundSince: number | undefined;
  private renewingNow = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenewOk = 0;
  private starting = true;
  /** Last snapshot of the tables, for GET /api/cluster. */
  private snapshot: { nodes: NodeRow[]; leases: LeaseRow[]; at: number } = { nodes: [], leases: [], at: 0 };
  private readonly mono: () => number;

  constructor(private readonly d: CoordinatorDeps) {
    this.mono = d.monotonic ?? (() => performance.now());
  }

  /** The epoch this node holds the camera under, or undefined: the write fence's question. */
  epochOf(cameraId: number): number | undefined {
    return this.held.get(cameraId);
  }

  /** Whether the last successful renewal is within the lease TTL. */
  renewing(): boolean {
    return this.mono() - this.lastRenewOk <= this.d.config.leaseTtlMs;
  }

  heldCameras(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  view() {
    return { nodeId: this.d.nodeId, running: this.heldCameras(), jobs: [...this.jobsHeld.keys()], ...this.snapshot };
  }

  async start(): Promise<void> {
    const freed = await this.d.repo.releaseAll(this.d.nodeId);
    if (freed) this.d.log.info('leases of the previous run of this node released', { count: freed });
    for (const j of this.d.jobs) await this.d.repo.ensureRow(jobLease(j.name));
    this.lastRenewOk = this.mono();
    this.keepAliveTimer = setInterval(() => void this.keepAlive(), this.d.config.heartbeatMs);
    this.keepAliveTimer.unref();
    await this.tickSafely();
    this.schedule();
  }

  /** A clean stop hands everything over at once (no waiting for the TTL). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepAliveTimer);
    await this.running;
    await this.stops;
    for (const id of this.heldCameras()) await this.handOver(id);
    for (const j of this.d.jobs) if (this.jobsHeld.has(j.name)) await this.stopJob(j, true);
  }

  /** Runs a round now (after a camera was added or changed here), not at the next heartbeat. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), 0);
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.round(), this.d.config.heartbeatMs);
  }

  private round(): Promise<void> {
    this.running = this.running.then(() => this.tickSafely()).finally(() => this.schedule());
    return this.running;
  }

  private async tickSafely(): Promise<void> {
    if (this.stopped) return;
    this.roundSince = this.mono();
    try {
      await this.tick();
    } catch (err) {
      this.d.log.warn('cluster round failed', { err });
    } finally {
      this.roundSince = undefined;
    }
    // Cut off from the database longer than the lease: another node may run these cameras now.
    if (this.mono() - this.lastRenewOk > this.d.config.leaseTtlMs && (this.held.size || this.jobsHeld.size)) {
      this.d.log.warn('leases could not be renewed within their TTL: stopping this node’s cameras and jobs');
      for (const id of this.heldCameras()) this.lose(id);
      for (const j of this.d.jobs) if (this.jobsHeld.has(j.name)) await this.stopJob(j, false);
    }
  }

  /**
   * Renews what this node holds; a camera whose lease could not be renewed is lost. Only the
   * cameras held when it began are judged: one taken meanwhile (by a round) has a fresh lease.
   */
  private async renewHeld(began = this.mono()): Promise<Map<string, number>> {
    const ids = this.heldCameras();
    const names = [...ids.map(cameraLease), ...[...this.jobsHeld.keys()].map(jobLease)];
    const renewed = await this.d.repo.renew(this.d.nodeId, names, this.d.config.leaseTtlMs);
    // A renewal that took longer than the TTL proves nothing about the time in between.
    if (this.mono() - began < this.d.config.leaseTtlMs) this.lastRenewOk = began;
    for (const id of ids) if (this.held.has(id) && !renewed.has(cameraLease(id))) this.lose(id);
    return renewed;
  }

  /**
   * Every heartbeat, while a round is still busy (starting or stopping cameras takes seconds on
   * a loaded machine): renew in between, so a long round never lets the other leases expire.
   */
  private async keepAlive(): Promise<void> {
    if (this.stopped || this.renewingNow || this.roundSince === undefined) return;
    if (this.mono() - this.roundSince < this.d.config.heartbeatMs) return;
    this.renewingNow = true;
    try {
      await this.renewHeld();
    } catch (err) {
      this.d.log.warn('lease renewal during a long round failed', { err });
    } finally {
      this.renewingNow = false;
    }
  }

  private async tick(): Promise<void> {
    const { repo, nodeId: me } = this.d;
    const began = this.mono();
    const row = { id: me, url: this.d.url, version: this.d.version, cameras: this.held.size, cpu: this.d.cpu(), keysFingerprint: this.d.keysFingerprint };
    await repo.heartbeat(row, this.starting);
    this.starting = false;
    const renewed = await this.renewHeld(began);
    for (const j of this.d.jobs) if (this.jobsHeld.has(j.name) && !renewed.has(jobLease(j.name))) await this.stopJob(j, false);

    const cameras = await this.d.cameras();
    await repo.ensureCameraRows(cameras.map((c) => c.id));
    const [leases, nodes] = [await repo.leases(), await repo.nodes()];
    const now = await repo.now();
    this.snapshot = { nodes, leases, at: now };
    await this.rebalance(cameras, leases, nodes, now);
    await this.restartChanged(cameras);
    await this.takeJobs();
  }

  private async rebalance(cameras: { id: number }[], leases: LeaseRow[], nodes: NodeRow[], now: number): Promise<void> {
    const { config, nodeId: me } = this.d;
    const byCamera = new Map<number, LeaseRow>(leases.filter((l) => l.cameraId !== null).map((l) => [l.cameraId!, l]));
    const enabled = new Set(cameras.map((c) => c.id));
    // Cameras disabled or removed: nobody runs them.
    for (const id of this.heldCameras()) if (!enabled.has(id)) await this.handOver(id);
    const planLeases = new Map<number, PlanLease>([...byCamera].map(([id, l]) => [id, { owner: l.owner, expiresAt: l.expiresAt }]));
    const plan = planAssignment({
      me,
      now,
      nodes: nodes.filter((n) => n.heartbeatAt > now - config.leaseTtlMs).map((n) => ({ id: n.id, startedAt: n.startedAt, cpu: n.cpu })),
      cameras: cameras.map((c) => ({ id: c.id, pinnedNode: byCamera.get(c.id)?.pinnedNode ?? null })),
      leases: planLeases,
      joinAfterMs: config.joinAfterMs,
    });
    for (const id of plan.release) if (this.held.has(id)) await this.handOver(id);
    // A camera lost a moment ago and given back to this node starts only once its old run stopped.
    if (plan.acquire.length) await this.stops;
    const began = this.mono();
    for (const id of plan.acquire) {
      // Camera starts are sequential and slow on a loaded machine: a round that went on starting
      // cameras past a third of the TTL would let the first leases expire before the next renewal
      // (and lose them, over and over). The rest are taken next round, after the renewal.
      if (this.mono() - began > config.leaseTtlMs / 3) break;
      const epoch = await this.d.repo.acquire(me, cameraLease(id), config.leaseTtlMs);
      if (epoch === undefined) continue; // another node was first
      this.held.set(id, epoch);
      this.d.log.info('camera lease taken', { cameraId: id, epoch });
      await this.d.work.taken?.(id).catch((err: unknown) => this.d.log.warn('what the previous owner left was not taken over', { cameraId: id, err }));
      await this.d.work.startCamera(id).catch((err: unknown) => this.d.log.error('leased camera did not start', { cameraId: id, err }));
    }
  }

  /** A camera edited on another node: its row changed, restart it here with the new settings. */
  private async restartChanged(cameras: { id: number; version: string }[]): Promise<void> {
    for (const c of cameras) {
      const seen = this.seenVersion.get(c.id);
      this.seenVersion.set(c.id, c.version);
      if (seen !== undefined && seen !== c.version && this.held.has(c.id)) {
        await this.d.work.startCamera(c.id).catch((err: unknown) => this.d.log.error('leased camera did not restart', { cameraId: c.id, err }));
      }
    }
  }

  private async takeJobs(): Promise<void> {
    for (const j of this.d.jobs) {
      if (this.jobsHeld.has(j.name)) continue;
      const epoch = await this.d.repo.acquire(this.d.nodeId, jobLease(j.name), this.d.config.leaseTtlMs);
      if (epoch === undefined) continue;
      this.jobsHeld.set(j.name, epoch);
      this.d.log.info('cluster job taken', { job: j.name, epoch });
      await j.start().catch((err: unknown) => this.d.log.error('cluster job did not start', { job: j.name, err }));
    }
  }

  /**
   * The fence refused a write of this node for the camera (its lease expired or moved before
   * the next round noticed, e.g. after a pause): forget it at once so every later write is
   * refused without asking the database, and stop its work behind the rounds.
   */
  refused(cameraId: number): void {
    if (!this.held.has(cameraId)) return;
    this.held.delete(cameraId);
    this.d.log.warn('a write was refused by the lease fence: stopping the camera here', { cameraId });
    // Not awaited: the refused write may be the camera's own pipeline, which the stop waits for.
    this.queueStop(cameraId);
  }

  /** Lost (expired or taken over): forget first so the fence refuses its writes, then stop. */
  private lose(cameraId: number): void {
    this.held.delete(cameraId);
    this.d.log.warn('camera lease lost', { cameraId });
    this.queueStop(cameraId);
  }

  private queueStop(cameraId: number): void {
    this.stops = this.stops.then(() => this.stopLost(cameraId));
  }

  private async stopLost(cameraId: number): Promise<void> {
    if (this.held.has(cameraId)) return; // taken again since: running under the new epoch
    await this.d.work.stopCamera(cameraId).catch((err: unknown) => this.d.log.error('camera did not stop', { cameraId, err }));
    await this.d.work.dropped(cameraId).catch((err: unknown) => this.d.log.warn('camera not fully dropped', { cameraId, err }));
  }

  /** Handed over: stop, then free the lease for the next node. */
  private async handOver(cameraId: number): Promise<void> {
    await this.d.work.stopCamera(cameraId).catch((err: unknown) => this.d.log.error('camera did not stop', { cameraId, err }));
    this.held.delete(cameraId);
    await this.d.work.dropped(cameraId).catch((err: unknown) => this.d.log.warn('camera not fully dropped', { cameraId, err }));
    await this.d.repo.release(this.d.nodeId, cameraLease(cameraId)).catch((err: unknown) => this.d.log.warn('lease not released', { cameraId, err }));
    this.d.log.info('camera handed over', { cameraId });
  }

  private async stopJob(j: ClusterJob, release: boolean): Promise<void> {
    this.jobsHeld.delete(j.name);
    await j.stop().catch((err: unknown) => this.d.log.error('cluster job did not stop', { job: j.name, err }));
    if (release) await this.d.repo.release(this.d.nodeId, jobLease(j.name)).catch(() => undefined);
  }
}
