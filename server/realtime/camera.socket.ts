import { canSee } from '../auth/access.policy.js';
import type { Authorizer } from '../auth/authorize.js';
import { cameraDisplayState } from '../domain/socket.events.js';
import type { Bus } from '../shared/bus.js';
import type { CameraRecord } from '../store/camera.repository.js';
import { onAuthorized, ROOMS, type AppIo, type AppSocket } from './socket.server.js';

/**
 * Camera rooms: `cameras:subscribe` joins the room of every camera the user may see and
 * answers their states; state changes from the bus go to each camera's room.
 */
export function registerCameraSocketHandlers(socket: AppSocket, authorizer: Authorizer, cameras: { list(): Promise<CameraRecord[]> }): void {
  onAuthorized(socket, authorizer, 'cameras:subscribe', async (s, _req, ack) => {
    const visible = (await cameras.list()).filter((c) => canSee(s.data.principal, { type: 'camera', id: c.id, areaId: c.areaId }));
    await s.join(visible.map((c) => ROOMS.camera(c.id)));
    ack({
      ok: true,
      data: visible.map((c) => ({ cameraId: c.id, state: c.state, display: cameraDisplayState(c.state), reason: c.stateReason, at: c.updatedAt })),
    });
  });
}

/** Forwards camera state changes to each camera's room; returns the unsubscribe function. */
export function forwardCameraStates(io: AppIo, bus: Bus): () => void {
  return bus.on('camera.state', (m) => io.to(ROOMS.camera(m.cameraId)).emit('camera:state', { ...m, display: cameraDisplayState(m.state) }));
}
