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

/** A guard tour's state (server/cameras/camera.tour.ts). */
export interface TourStatus {
  running: boolean;
  pausedUntil: number | null;
  stop: number | null;
}

export const ptzApi = {
  tour: (cameraId: number) => getJson<TourStatus>(`/api/cameras/${cameraId}/ptz/tour`),
  setTour: (cameraId: number, action: 'start' | 'stop') => postJson<TourStatus>(`/api/cameras/${cameraId}/ptz/tour`, { action }),
  presets: (cameraId: number) => getJson<{ presets: PtzPreset[] }>(`/api/cameras/${cameraId}/ptz/presets`).then((r) => r.presets),
  command: (cameraId: number, c: PtzCommand) => postJson<{ presetToken?: string }>(`/api/cameras/${cameraId}/ptz`, c),
};
