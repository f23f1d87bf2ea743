/**
 * The socket.io contract, imported by both server/ and ui/ (type-only: no Node imports here).
 */
export type CameraSessionState = 'starting' | 'online' | 'stalled' | 'restarting' | 'offline' | 'stopped';
/** What users see: trực tuyến / gián đoạn / mất kết nối. */
export type CameraDisplayState = 'online' | 'interrupted' | 'offline';

export function cameraDisplayState(s: CameraSessionState): CameraDisplayState {
  if (s === 'online') return 'online';
  if (s === 'offline' || s === 'stopped') return 'offline';
  return 'interrupted';
}

export interface CameraStateMessage {
  cameraId: number;
  state: CameraSessionState;
  display: CameraDisplayState;
  reason: string | null;
  at: number;
}

export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

export interface ServerToClientEvents {
  'camera:state': (msg: CameraStateMessage) => void;
}

export interface ClientToServerEvents {
  /** Current state of every camera the client may see; later changes arrive as camera:state. */
  'cameras:subscribe': (req: Record<string, never>, ack: Ack<CameraStateMessage[]>) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
