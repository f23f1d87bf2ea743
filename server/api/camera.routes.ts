import { Router } from 'express';
import { z } from 'zod';
import type { Authorizer } from '../auth/authorize.js';
import { authorize } from '../auth/authorize.js';
import { AppError, notFound } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import type { CameraRecord } from '../store/camera.repository.js';
import { cameraDisplayState } from '../realtime/socket.events.js';
import { parse } from './validate.js';

/** The latest low-rate JPEG of each running camera, kept by ingest. */
export interface LiveFeed {
  latestJpeg(cameraId: number): { jpeg: Buffer; at: number } | undefined;
}

export interface CameraRoutesDeps {
  store: Store;
  authorizer: Authorizer;
  liveFeed: LiveFeed;
}

const idParams = z.object({ id: z.coerce.number().int().positive() }).strict();

/** What the API shows of a camera: never credentials, only whether they are set. */
export function cameraView(c: CameraRecord) {
  return {
    id: c.id, name: c.name, areaId: c.areaId, ownerName: c.ownerName, ownerKind: c.ownerKind,
    address: c.address, latitude: c.latitude, longitude: c.longitude, onvifUrl: c.onvifUrl,
    credentials: c.credentialsEnc ? 'set' : 'not_set',
    streams: c.streams, settings: c.settings, defaultVisibility: c.defaultVisibility, enabled: c.enabled,
    state: c.state, display: cameraDisplayState(c.state), stateReason: c.stateReason,
    clockOffsetMs: c.clockOffsetMs, demo: c.demo, createdAt: c.createdAt, updatedAt: c.updatedAt,
  };
}

export function cameraRoutes(d: CameraRoutesDeps): Router {
  const r = Router();
  const cameraRef = async (req: { params: unknown }) => {
    const { id } = parse(idParams, req.params, 'params');
    const cam = await d.store.cameras.get(id);
    if (!cam) throw notFound('camera', id);
    return { type: 'camera', id, areaId: cam.areaId };
  };

  r.get('/api/cameras', authorize(d.authorizer, 'camera.list'), async (_req, res) => {
    res.json({ cameras: (await d.store.cameras.list()).map(cameraView) });
  });

  r.get('/api/cameras/:id', authorize(d.authorizer, 'camera.read', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json(cameraView((await d.store.cameras.get(id))!));
  });

  r.get('/api/cameras/:id/live.jpg', authorize(d.authorizer, 'camera.live', cameraRef), (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const frame = d.liveFeed.latestJpeg(id);
    if (!frame) throw new AppError('no_frame_yet', `camera ${id} has no live frame yet`, 404, { params: { id } });
    res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'no-store', 'X-Frame-Time': new Date(frame.at).toISOString() });
    res.send(frame.jpeg);
  });
  return r;
}
