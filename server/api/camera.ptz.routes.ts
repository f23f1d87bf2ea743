import { Router } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer } from '../auth/authorize.js';
import type { CameraPtz } from '../cameras/camera.ptz.js';
import type { GuardTours } from '../cameras/camera.tour.js';
import { notFound } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import { idParams } from './params.js';
import { parse } from './validate.js';

/**
 * PTZ of one camera for the police and technicians (of its area): presets, and one command
 * at a time — move (velocities -1..1, the camera stops by itself after 10 s), stop, go to a
 * preset, save the position as a preset, home.
 */
const speed = z.number().min(-1, 'must be between -1 and 1').max(1, 'must be between -1 and 1');
export const ptzBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('move'), pan: speed.default(0), tilt: speed.default(0), zoom: speed.default(0) }).strict(),
  z.object({ action: z.literal('stop') }).strict(),
  z.object({ action: z.literal('goto'), preset: z.string().trim().min(1, 'is required').max(64) }).strict(),
  z.object({ action: z.literal('set'), name: z.string().trim().min(1, 'is required').max(64) }).strict(),
  z.object({ action: z.literal('home') }).strict(),
]);

export const tourBody = z.object({ action: z.enum(['start', 'stop']) }).strict();

/** `tours`: guard tours (started and stopped here; a manual command pauses the camera's tour). */
export function cameraPtzRoutes(d: { store: Store; authorizer: Authorizer; ptz: CameraPtz; tours?: GuardTours }): Router {
  const r = Router();
  const cameraRef = async (req: { params: unknown }) => {
    const { id } = parse(idParams, req.params, 'params');
    const cam = await d.store.cameras.get(id);
    if (!cam) throw notFound('camera', id);
    return { type: 'camera', id, areaId: cam.areaId };
  };
  r.get('/api/cameras/:id/ptz/presets', authorize(d.authorizer, 'camera.ptz', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json({ presets: await d.ptz.presets(id) });
  });
  r.post('/api/cameras/:id/ptz', authorize(d.authorizer, 'camera.ptz', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const command = parse(ptzBody, req.body ?? {}, 'body');
    await d.tours?.manual(id);
    res.json(await d.ptz.command(id, command));
  });
  if (!d.tours) return r;
  const tours = d.tours;
  r.get('/api/cameras/:id/ptz/tour', authorize(d.authorizer, 'camera.ptz', cameraRef), (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json(tours.status(id));
  });
  r.post('/api/cameras/:id/ptz/tour', authorize(d.authorizer, 'camera.ptz', cameraRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const { action } = parse(tourBody, req.body ?? {}, 'body');
    res.json(action === 'start' ? await tours.start(id) : tours.stop(id));
  });
  return r;
}
