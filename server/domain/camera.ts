/** Camera vocabulary shared by every layer: session states, stream specs, who may see its events. */
/** Session states of a camera's ingest; users see online / interrupted / offline (see cameraDisplayState). */
export const CAMERA_STATES = ['starting', 'online', 'stalled', 'restarting', 'offline', 'stopped'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

export interface StreamSpec {
  /** Without credentials: they are added only when ffmpeg is spawned. */
  url: string;
  transport?: 'tcp' | 'udp';
  profileToken?: string;
  width?: number;
  height?: number;
  fps?: number;
  codec?: string;
}
export interface CameraStreams {
  detect: StreamSpec;
  record?: StreamSpec;
}
export type Visibility = 'internal' | 'shared';
