import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Authorizer } from '../auth/authorize.js';
import { addAuditDetail, authorize, type Action, type ResourceRef } from '../auth/authorize.js';
import type { CameraOnboarding } from '../cameras/camera.onboarding.js';
import type { TestFrame } from '../ingest/ffmpeg.grab.js';
import type { CameraService } from '../cameras/camera.service.js';
import { cameraCreateSchema, cameraUpdateSchema, credentialsSchema, streamUrlSchema } from '../domain/camera.settings.js';
import { AppError, notFound } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import type { CameraRecord } from '../store/camera.repository.js';
import { cameraDisplayState } from '../domain/socket.events.js';
import { audienceOf } from '../privacy/privacy.audience.js';
import type { PrivacyMasker } from '../privacy/privacy.masker.js';
import { cameraChanges, checkCreateRights, checkUpdateRights } from './camera.changes.js';
import { idParams } from './params.js';
import { parse } from './validate.js';

/** The latest low-rate JPEG of each running camera, kept by ingest. */
export interface LiveFeed {
  latestJpeg(cameraId: number): { jpeg: Buffer; at: number } | undefined;
}

export interface CameraRoutesDeps {
  store: Store;
  authorizer: Authorizer;
  liveFeed: LiveFeed;
  cameras: CameraService;
  onboarding: CameraOnboarding;
  /** Per-camera ingest and detection figures (fps, drops, restarts, CPU, RSS, disk). */
  stats?: () => Promise<unknown[]>;
  /** Privacy masks on the way out: a viewer who is not staff gets the live JPEG masked. */
  privacy: Pick<PrivacyMasker, 'jpeg'>;
}

const discoverBody = z
  .object({
    interfaces: z
      .array(z.string().trim().min(1).max(64))
      .max(32)
      .optional()
      .describe('Network interface names; default: config.discoveryInterfaces, else every IPv4 interface'),
    targets: z.array(z.string().trim().min(1).max(300)).max(64).optional().describe('Addresses (host or host:port) to send a directed WS-Discovery probe to'),
    timeoutSeconds: z.number().min(0.5).max(30).default(3),
  })
  .strict();

const probeBody = z
  .object({
    target: z.string().trim().min(1, 'is required').max(500),
    username: z.string().max(128).optional(),
    password: z.string().max(256).optional(),
  })
  .strict();

const testBody = z
  .object({
    url: streamUrlSchema,
    credentials: credentialsSchema.nullable().optional(),
    transport: z.enum(['tcp', 'udp']).optional(),
  })
  .strict();

const publicationBody = z
  .object({ areaId: z.number().int().positive().nullable().optional(), defaultVisibility: z.enum(['internal', 'shared']).optional() })
  .strict()
  .refine((v) => v.areaId !== undefined || v.defaultVisibility !== undefined, 'give areaId or defaultVisibility');

const testRegisteredBody = z.object({ stream: z.enum(['detect', 'record']).default('detect') }).strict();

/** What the caller may do with this camera (technicians: only cameras of their areas or unassigned ones), for the UI. */
export interface CameraMay {
  live: boolean;
  test: boolean;
  update: boolean;
  delete: boolean;
  publish: boolean;
  ptz: boolean;
}
const MAY_ACTIONS: Record<keyof CameraMay, Action> = {
  live: 'camera.live',
  test: 'camera.test',
  update: 'camera.update',
  delete: 'camera.delete',
  publish: 'camera.publish',
  ptz: 'camera.ptz',
};

/** What the API shows of a camera: never credentials, only whether they are set. */
export function cameraView(c: CameraRecord, may: CameraMay) {
  return {
    may,
    id: c.id,
    name: c.name,
    areaId: c.areaId,
    ownerName: c.ownerName,
    ownerKind: c.ownerKind,
    address: c.address,
    latitude: c.latitude,
    longitude: c.longitude,
    onvifUrl: c.onvifUrl,
    onvifEndpoint: c.onvifEndpoint,
    credentials: c.credentialsEnc ? 'set' : 'not_set',
    streams: c.streams,
    settings: c.settings,
    settingsProblems: c.settingsProblems,
    defaultVisibility: c.defaultVisibility,
    enabled: c.enabled,
    state: c.state,
    display: cameraDisplayState(c.state),
    stateReason: c.stateReason,
    clockOffsetMs: c.clockOffsetMs,
    demo: c.demo,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** JSON with the JPEG as base64 (for an <img src="data:…">), or the JPEG itself when asked with Accept: image/jpeg. */
function sendTestFrame(res: Response, accept: string | undefined, f: TestFrame): void {
  const info = { width: f.width, height: f.height, fps: f.fps, codec: f.codec, source: f.source, at: f.at };
  res.set('Cache-Control', 'no-store');
  if (accept && /image\/jpeg/.test(accept) && !/application\/json/.test(accept)) {
    res.set({
      'Content-Type': 'image/jpeg',
      'X-Frame-Width': String(f.width),
      'X-Frame-Height': String(f.height),
      'X-Frame-Fps': String(f.fps ?? ''),
      'X-Frame-Codec': f.codec ?? '',
      'X-Frame-Source': f.source,
    });
    res.send(f.jpeg);
    return;
  }
  res.json({ ...info, jpegBase64: f.jpeg.toString('base64') });
}

export function cameraRoutes(d: CameraRoutesDeps): Router {
  const r = Router();
  const mayFor = (req: Request) => (action: Action, ref: ResourceRef) => d.authorizer.policy(d.authorizer.principalOf(req), action, ref);
  const view = async (req: Request, c: CameraRecord) => {
    const may = mayFor(req);
    const ref = { type: 'camera', id: c.id, areaId: c.areaId };
    const entries = await Promise.all(Object.entries(MAY_ACTIONS).map(async ([k, action]) => [k, await may(action, ref)] as const));
    return cameraView(c, Object.fromEntries(entries) as unknown as CameraMay);
  };
  const cameraRef = async (req: { params: unknown }) => {
    const { id } = parse(idParams, req.params, 'params');
    const cam = await d.store.cameras.get(id);
    if (!cam) throw notFound('camera', id);
    return { type: 'camera', id, areaId: cam.areaId };
  };

  r.get('/api/cameras', authorize(d.authorizer, 'camera.list'), async (req, res) => {
    res.json({ cameras: await Promise.all((await d.store.cameras.list()).map((c) => view(req, c))) });
  });

  r.get('/api/cameras/stats', authorize(d.authorizer, 'camera.list'), async (_req, res) => {
    res.json({ cameras: d.stats ? await d.stats() : [], at: Date.now() });
  });

  r.post('/api/cameras', authorize(d.authorizer, 'camera.create'), async (req, res) => {
    const body = parse(cameraCreateSchema, req.body, 'body');
    await checkCreateRights(mayFor(req), body);
    const cam = await d.cameras.register(body);
    addAuditDetail(res, { cameraId: cam.id, name: cam.name, areaId: cam.areaId, defaultVisibility: cam.defaultVisibility });
    res.status(201).json(await view(req, cam));
  });

  r.post('/api/cameras/discover', authorize(d.authorizer, 'camera.discover'), async (req, res) => {
    const body = parse(discoverBody, req.body ?? {}, 'body');
    res.json(await d.onboarding.discover({ interfaces: body.interfaces, targets: body.targets, timeoutMs: Math.round(body.timeoutSeconds * 1000) }));
  });

  r.post('/api/cameras/probe', authorize(d.authorizer, 'camera.probe'), async (req, res) => {
    res.json(await d.onboarding.probe(parse(probeBody, req.body, 'body')));
  });

  r.post('/api/cameras/test-connection', authorize(d.authorizer, 'camera.probe'), async (req, res) => {
    const body = parse(testBody, req.body, 'body');
    sendTestFrame(res, req.get('accept'), await d.cameras.testConnection(body));
  });

  r.get('/api/cameras/:id', authorize(d.authorizer, 'camera.read', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json(await view(req, (await d.store.cameras.get(id))!));
  });

  r.patch('/api/cameras/:id', authorize(d.authorizer, 'camera.update', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const patch = parse(cameraUpdateSchema, req.body, 'body');
    const before = (await d.store.cameras.get(id))!;
    await checkUpdateRights(mayFor(req), before, patch);
    const after = await d.cameras.update(id, patch);
    addAuditDetail(res, { changes: cameraChanges(before, after) });
    res.json(await view(req, after));
  });

  // The police's way to decide where a camera's footage goes, without the rights to edit it.
  r.put('/api/cameras/:id/publication', authorize(d.authorizer, 'camera.publish', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const body = parse(publicationBody, req.body, 'body');
    const before = (await d.store.cameras.get(id))!;
    const after = await d.cameras.update(id, body);
    addAuditDetail(res, { changes: cameraChanges(before, after) });
    res.json(await view(req, after));
  });

  r.delete('/api/cameras/:id', authorize(d.authorizer, 'camera.delete', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    await d.cameras.remove(id);
    res.status(204).end();
  });

  r.post('/api/cameras/:id/test-connection', authorize(d.authorizer, 'camera.test', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const { stream } = parse(testRegisteredBody, req.body ?? {}, 'body');
    sendTestFrame(res, req.get('accept'), await d.cameras.testConnection({ cameraId: id, stream }));
  });

  r.get('/api/cameras/:id/live.jpg', authorize(d.authorizer, 'camera.live', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const frame = d.liveFeed.latestJpeg(id);
    if (!frame) throw new AppError('no_frame_yet', `camera ${id} has no live frame yet`, 404, { params: { id } });
    // "Hide from everyone" masks are already in the frame (ffmpeg drew them); residents' masks are added here, once per frame.
    const jpeg = await d.privacy.jpeg(id, frame.jpeg, audienceOf(d.authorizer.principalOf(req)), 'live');
    res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'no-store', 'X-Frame-Time': new Date(frame.at).toISOString() });
    res.send(jpeg);
  });
  return r;
}
