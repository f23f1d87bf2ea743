import type { Authorizer, Principal } from '../auth/authorize.js';
import type { LiveStartReply } from '../domain/socket.events.js';
import type { LiveHub, LiveMode } from '../ingest/live.remux.js';
import { audienceOf } from '../privacy/privacy.audience.js';
import type { CameraRecord } from '../store/camera.repository.js';
import { onAuthorized, type AppSocket } from './socket.server.js';

/**
 * Live video over the app's socket (authorised like the live JPEG: action camera.live on the
 * camera's area). Each socket watching a camera is one viewer of the camera's shared remux; a
 * viewer whose connection falls behind skips to the next keyframe instead of queueing video
 * it will never show in time.
 */
export interface LiveSocketDeps {
  authorizer: Authorizer;
  hub: LiveHub;
  cameras: { get(id: number): Promise<CameraRecord | undefined> };
}

/** Outgoing packets queued on a socket beyond which it is considered behind. */
const BEHIND_PACKETS = 64;

/**
 * The live video is the recording's stream copy: it carries "hide from everyone" masks (burned in
 * at recording time) but not residents' masks. A viewer who must not see behind those gets the
 * live JPEG instead, which the server masks (api/camera.routes.ts, privacy/privacy.masker.ts).
 */
export function hasPrivacyMask(cam: CameraRecord): boolean {
  return (cam.settings.privacyMasks ?? []).length > 0;
}
const seesUnmasked = (p: Principal) => audienceOf(p) === 'staff';

const cameraIdOf = (req: unknown): number | null => {
  const id = (req as { cameraId?: unknown } | null)?.cameraId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
};

export function registerLiveSocketHandlers(socket: AppSocket, d: LiveSocketDeps): void {
  const watching = new Map<number, () => void>();
  // Per camera: told when the answer given to live:start no longer holds (a viewer who asked
  // before the camera's codec was known then asks again and gets video).
  const following = new Map<number, () => void>();
  const stop = (id: number) => {
    watching.get(id)?.();
    watching.delete(id);
    following.get(id)?.();
    following.delete(id);
  };
  const follow = (id: number, told: LiveMode) =>
    following.set(
      id,
      d.hub.followMode(id, told, () => socket.emit('live:changed', { cameraId: id })),
    );
  const resource = async (req: unknown) => {
    const id = cameraIdOf(req);
    const cam = id === null ? undefined : await d.cameras.get(id);
    return cam ? { type: 'camera' as const, id: cam.id, areaId: cam.areaId } : undefined;
  };
  onAuthorized(
    socket,
    d.authorizer,
    'live:start',
    async (s, req, ack) => {
      const id = cameraIdOf(req);
      const cam = id === null ? undefined : await d.cameras.get(id);
      const reply = (r: LiveStartReply) => ack({ ok: true, data: r });
      if (!cam) return reply({ mode: 'jpeg', reason: 'not_recording' });
      stop(cam.id);
      if (!seesUnmasked(s.data.principal) && hasPrivacyMask(cam)) return reply({ mode: 'jpeg', reason: 'masked' });
      const mode = d.hub.mode(cam.id);
      follow(cam.id, mode);
      if (mode === 'h265' || mode === 'not_recording') return reply({ mode: 'jpeg', reason: mode });
      reply(mode === 'fmp4-sub' ? { mode: 'fmp4', source: 'sub' } : { mode: 'fmp4' });
      watching.set(cam.id, d.hub.watch(cam.id, viewerOn(s, cam.id)));
    },
    resource,
  );
  onAuthorized(
    socket,
    d.authorizer,
    'live:stop',
    (_s, req, ack) => {
      const id = cameraIdOf(req);
      if (id !== null) stop(id);
      ack({ ok: true, data: null });
    },
    resource,
  );
  socket.on('disconnect', () => {
    for (const id of new Set([...watching.keys(), ...following.keys()])) stop(id);
  });
}

/** Sends one camera's fragments to one socket, skipping to a keyframe when the socket is behind. */
function viewerOn(s: AppSocket, cameraId: number) {
  let skipping = false;
  const queued = () => (s.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
  return {
    init: (data: Buffer) => {
      skipping = false;
      s.emit('live:init', { cameraId, data, at: Date.now() });
    },
    fragment: (f: { data: Buffer; key: boolean }) => {
      if (queued() > BEHIND_PACKETS) skipping = true;
      if (skipping && !f.key) return;
      skipping = false;
      s.emit('live:media', { cameraId, data: f.data, key: f.key, at: Date.now() });
    },
  };
}
