import { getJson, postJson } from './http.js';

/** PTZ of one camera (server/api/camera.ptz.routes.ts). */
export type PtzCommand =
  | { action: 'move'; pan?: number; tilt?: number; zoom?: number }
  | { action: 'stop' }
  | { action: 'goto'; preset: string }
  | { action: 'set'; name: string }
  | { action: 'home' };

export interface PtzPreset {
  token: string;
  name: string;
}

export const ptzApi = {
  presets: (cameraId: number) => getJson<{ presets: PtzPreset[] }>(`/api/cameras/${cameraId}/ptz/presets`).then((r) => r.presets),
  command: (cameraId: number, c: PtzCommand) => postJson<{ presetToken?: string }>(`/api/cameras/${cameraId}/ptz`, c),
};
