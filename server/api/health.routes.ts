import { Router } from 'express';
import type { Authorizer } from '../auth/authorize.js';
import { authorize } from '../auth/authorize.js';
import type { CameraEventsHealth } from '../cameras/camera.events.js';
import type { DetectorStatus } from '../detect/detection.path.js';
import type { DiskState } from '../ingest/recording.retention.js';
import { cameraDisplayState, type CameraSessionState } from '../domain/socket.events.js';
import type { ChannelHealth } from '../domain/notification.js';
import type { DbProbe, HealthMonitor, PipelineCounters } from './health.monitor.js';

export interface HealthDeps {
  monitor: Pick<HealthMonitor, 'read'>;
  /** The database client's name (sqlite3, pg), shown as is. */
  dbClient: string;
  authorizer: Authorizer;
  version: string;
  startedAt: number;
  /** Whether the object detector runs, and why not. */
  detector: () => DetectorStatus;
  /** The recordings disk (retention's free-space floor), from memory. */
  disk: () => DiskState;
  /** Notification channels (issue 14): a configured channel that cannot deliver degrades health, the rest runs on. */
  notify?: () => ChannelHealth[];
  /** Cameras' own events: a warning (not degraded) while base notification relies on a guessed address. */
  cameraEvents?: () => CameraEventsHealth;
  /** A cluster node (issue 16): whether Redis (alerts to the other nodes' sockets) and its leases are working. */
  cluster?: () => ClusterHealth;
}

export interface ClusterHealth {
  nodeId: string;
  redis: boolean;
  /** Leases renewed within their TTL (the database answered the coordinator). */
  leases: boolean;
  running: number;
}

/** Why health is degraded, one word each (the sections of the body say more). */
export type DegradedReason = 'database' | 'writes' | 'detector' | 'disk' | 'notify' | 'cluster';

export interface HealthBody {
  status: 'ok' | 'degraded';
  /** Empty when ok. */
  reasons: DegradedReason[];
  version: string;
  uptimeSeconds: number;
  db: DbProbe & { client: string };
  detector: DetectorStatus;
  disk: DiskState;
  cameras: { online: number; interrupted: number; offline: number };
  /** Snapshot failures, pending clips, queued writes: what falls behind before anything fails. */
  pipeline: PipelineCounters & { writesBackingUp: boolean };
  notify: ChannelHealth[];
  /** Present on a cluster node. */
  cluster?: ClusterHealth;
  cameraEvents: CameraEventsHealth;
}

/** Answers from memory (HealthMonitor's cached, time-boxed probe): never waits on the database. */
export function healthRoutes(d: HealthDeps): Router {
  const r = Router();
  r.get('/api/health', authorize(d.authorizer, 'health.read'), (_req, res) => {
    const h = d.monitor.read();
    const cameras = { online: 0, interrupted: 0, offline: 0 };
    for (const [state, n] of Object.entries(h.cameras)) cameras[cameraDisplayState(state as CameraSessionState)] += n;
    const detector = d.detector();
    const disk = d.disk();
    // A server that records but detects nothing is not fine: police would wait for alerts that never come.
    // Recording, detection or the database not really working is not "ok", whatever else runs.
    const reasons: DegradedReason[] = [];
    if (h.db.failures > 0) reasons.push('database');
    if (h.writesBackingUp) reasons.push('writes');
    if (detector.error !== null) reasons.push('detector');
    if (disk.state !== 'ok') reasons.push('disk');
    const notify = d.notify?.() ?? [];
    if (notify.some((c) => c.state === 'degraded')) reasons.push('notify');
    const cluster = d.cluster?.();
    if (cluster && (!cluster.redis || !cluster.leases)) reasons.push('cluster');
    const body: HealthBody = {
      status: reasons.length ? 'degraded' : 'ok',
      reasons,
      version: d.version,
      uptimeSeconds: Math.round((Date.now() - d.startedAt) / 1000),
      db: { ...h.db, client: d.dbClient },
      detector,
      disk,
      cameras,
      pipeline: { ...h.counters, writesBackingUp: h.writesBackingUp },
      notify,
      ...(cluster ? { cluster } : {}),
      cameraEvents: d.cameraEvents?.() ?? { baseNotification: 0, unconfiguredCameraIds: [], warning: null },
    };
    res.status(h.db.ok ? 200 : 503).json(body);
  });
  return r;
}
