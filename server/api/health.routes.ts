import { Router } from 'express';
import type { Authorizer } from '../auth/authorize.js';
import { authorize } from '../auth/authorize.js';
import type { DetectorStatus } from '../detect/detection.path.js';
import { pingDb } from '../store/db.js';
import type { Store } from '../store/store.js';
import { cameraDisplayState, type CameraSessionState } from '../domain/socket.events.js';

export interface HealthDeps {
  store: Store;
  authorizer: Authorizer;
  version: string;
  startedAt: number;
  /** Whether the object detector runs, and why not. */
  detector: () => DetectorStatus;
}

export interface HealthBody {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  db: { ok: boolean; client: string };
  detector: DetectorStatus;
  cameras: { online: number; interrupted: number; offline: number };
}

export function healthRoutes(d: HealthDeps): Router {
  const r = Router();
  r.get('/api/health', authorize(d.authorizer, 'health.read'), async (_req, res) => {
    const dbOk = await pingDb(d.store.db);
    const cameras = { online: 0, interrupted: 0, offline: 0 };
    if (dbOk) {
      for (const [state, n] of Object.entries(await d.store.cameras.countByState())) {
        cameras[cameraDisplayState(state as CameraSessionState)] += n;
      }
    }
    const detector = d.detector();
    const body: HealthBody = {
      // A server that records but detects nothing is not fine: police would wait for alerts that never come.
      status: dbOk && detector.error === null ? 'ok' : 'degraded',
      version: d.version,
      uptimeSeconds: Math.round((Date.now() - d.startedAt) / 1000),
      db: { ok: dbOk, client: String(d.store.db.client.config.client) },
      detector,
      cameras,
    };
    res.status(dbOk ? 200 : 503).json(body);
  });
  return r;
}
