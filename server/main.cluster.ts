import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import type { CameraRunner } from './cameras/camera.runner.js';
import type { CameraKit } from './cameras/camera.module.js';
import { ClusterCoordinator, type ClusterJob } from './cluster/cluster.coordinator.js';
import { checkSameKeys, formatFingerprints, keyFingerprints } from './cluster/cluster.keys.js';
import { cpuMeter } from './cluster/cpu.meter.js';
import { LeasedRunner } from './cluster/leased.runner.js';
import { openRedisFanout, type RedisFanout } from './cluster/redis.fanout.js';
import type { ResolvedConfig } from './config/config.load.js';
import { loadOrCreateKey } from './shared/key.file.js';
import type { Logger } from './shared/log.js';
import { ClusterRepository, LeaseFence } from './store/cluster.repository.js';
import { openDb } from './store/db.js';
import type { NodeScope, Store } from './store/store.js';
import { VERSION } from './version.js';

/**
 * Part of the composition root: what makes this server a node of a cluster (issue 16) when
 * cluster.redisUrl is set — the lease fence given to the store, the leased camera runner given
 * to the camera service, the Redis fan-out given to socket.io, and the coordinator started once
 * the server listens. Without a cluster every hook is absent and the server is unchanged.
 */
/** What a running camera depends on: when it differs, the owner restarts the camera. */
function runningVersion(c: Awaited<ReturnType<Store['cameras']['list']>>[number]): string {
  const text = JSON.stringify([c.streams, c.settings, c.credentialsEnc, c.onvifUrl, c.areaId, c.defaultVisibility]);
  return createHash('sha1').update(text).digest('hex');
}

export class ClusterWiring {
  readonly repo: ClusterRepository;
  readonly scope: NodeScope;
  private coordinator: ClusterCoordinator | undefined;
  private leased: LeasedRunner<Parameters<CameraRunner['start']>[0], Parameters<CameraRunner['start']>[1], unknown> | undefined;
  fanout: RedisFanout | undefined;
  private keysFingerprint: string | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    /** The coordinator's own connections: heartbeats and renewals never wait behind the pipeline's writes for a pooled connection. */
    private readonly leaseDb: Knex,
    private readonly log: Logger,
    private readonly ownsLeaseDb: boolean,
  ) {
    this.repo = new ClusterRepository(leaseDb);
    this.scope = {
      nodeId: config.nodeId,
      fence: new LeaseFence(
        config.nodeId,
        (id) => this.coordinator?.epochOf(id),
        (id) => this.coordinator?.refused(id),
      ),
    };
  }

  /** `leaseDb`: tests pass theirs; a server opens a pool of two connections for the coordinator. */
  static async open(config: ResolvedConfig, log: Logger, leaseDb?: Knex): Promise<ClusterWiring | undefined> {
    const { redisUrl, streamName } = config.cluster;
    if (!redisUrl) return undefined;
    const db = leaseDb ?? openDb({ url: config.databaseUrl, poolMax: 2 });
    const w = new ClusterWiring(config, db, log.child('cluster'), !leaseDb);
    try {
      await w.checkKeys();
    } catch (err) {
      await w.close();
      throw err;
    }
    w.fanout = await openRedisFanout({ url: redisUrl, streamName, log: log.child('redis') });
    w.log.info('joining the cluster', { nodeId: config.nodeId });
    return w;
  }

  /** Refuses to join (a configuration error) when a live node holds other key files than this one. */
  private async checkKeys(): Promise<void> {
    const secretKey = loadOrCreateKey(this.config.secretKeyFile, this.log, 'camera credentials');
    const auditKey = loadOrCreateKey(this.config.audit.keyFile, this.log, 'the audit chain');
    const mine = keyFingerprints({ secretKey, auditKey });
    const live = await this.repo.liveFingerprints(this.config.nodeId, this.config.cluster.leaseTtlMs);
    checkSameKeys(mine, live, { secretKeyFile: this.config.secretKeyFile, auditKeyFile: this.config.audit.keyFile });
    this.keysFingerprint = formatFingerprints(mine);
  }

  owns = (cameraId: number): boolean => this.coordinator?.epochOf(cameraId) !== undefined;

  wrapRunner = (guarded: CameraRunner): CameraRunner => {
    this.leased = new LeasedRunner(guarded, { holds: this.owns, kick: () => this.coordinator?.kick() });
    return this.leased as CameraRunner;
  };

  /** After the server listens (its port is known): heartbeats, leases, the cluster-wide jobs. */
  async start(d: { store: Store; cameras: CameraKit; port: number; jobs: ClusterJob[]; takeover: (cameraId: number) => Promise<unknown> }): Promise<void> {
    const inner = this.leased!.inner;
    const cfg = this.config.cluster;
    this.coordinator = new ClusterCoordinator({
      nodeId: this.config.nodeId,
      url: cfg.advertiseUrl ?? `http://${os.hostname()}:${d.port}`,
      version: VERSION,
      keysFingerprint: this.keysFingerprint,
      repo: this.repo,
      cameras: async () => (await d.store.cameras.list()).filter((c) => c.enabled).map((c) => ({ id: c.id, version: runningVersion(c) })),
      work: {
        startCamera: async (id) => {
          const cam = await d.store.cameras.get(id);
          if (cam?.enabled) await inner.start(cam, d.cameras.service.credentialsOfSafely(cam));
          await d.cameras.events.refresh(id);
        },
        stopCamera: (id) => inner.stop(id),
        // Its ONVIF event subscription follows the lease: refreshed once this node no longer owns it.
        dropped: (id) => d.cameras.events.refresh(id),
        // Events the previous owner left open are closed by this node, now the camera's owner.
        taken: async (id) => void (await d.takeover(id)),
      },
      jobs: d.jobs,
      config: cfg,
      cpu: cpuMeter(),
      log: this.log,
    });
    await this.coordinator.start();
  }

  view() {
    return this.coordinator?.view();
  }

  health() {
    return {
      nodeId: this.config.nodeId,
      redis: this.fanout?.ready() ?? false,
      leases: this.coordinator?.renewing() ?? false,
      running: this.coordinator?.heldCameras().length ?? 0,
    };
  }

  async stop(): Promise<void> {
    await this.coordinator?.stop();
  }

  async close(): Promise<void> {
    await this.fanout?.close();
    if (this.ownsLeaseDb) await this.leaseDb.destroy();
  }
}
