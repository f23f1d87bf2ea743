import { AppError, notFound } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { CameraRepository } from '../store/camera.repository.js';
import type { CameraPtz } from './camera.ptz.js';

/**
 * Guard tours (settings.ptzTour): one runner per camera whose tour someone started, visiting
 * the presets in turn. A manual PTZ command pauses it (the person steering wins) until
 * `resumeAfterIdleSeconds` pass without another. Tours are runtime state: off after a restart.
 */
export interface GuardToursDeps {
  cameras: Pick<CameraRepository, 'get'>;
  ptz: Pick<CameraPtz, 'command'>;
  log: Logger;
  now?: () => number;
}

export interface TourStatus {
  running: boolean;
  /** Paused by a manual command until this time (ms), or null. */
  pausedUntil: number | null;
  /** Index of the stop the camera is at (or going to), or null when not running. */
  stop: number | null;
}

interface Tour {
  abort: AbortController;
  pausedUntil: number;
  stop: number;
  wake: (() => void) | undefined;
}

export class GuardTours {
  private readonly tours = new Map<number, Tour>();
  private readonly now: () => number;

  constructor(private readonly d: GuardToursDeps) {
    this.now = d.now ?? Date.now;
  }

  async start(cameraId: number): Promise<TourStatus> {
    const camera = await this.d.cameras.get(cameraId);
    if (!camera) throw notFound('camera', cameraId);
    if (!camera.settings.ptzTour.stops.length) {
      throw new AppError('validation', 'the camera has no guard tour: add presets to settings.ptzTour.stops first', 400, { field: 'settings.ptzTour.stops' });
    }
    if (!this.tours.has(cameraId)) {
      const tour: Tour = { abort: new AbortController(), pausedUntil: 0, stop: 0, wake: undefined };
      this.tours.set(cameraId, tour);
      void this.run(cameraId, tour);
    }
    return this.status(cameraId);
  }

  stop(cameraId: number): TourStatus {
    this.tours.get(cameraId)?.abort.abort();
    this.tours.delete(cameraId);
    return this.status(cameraId);
  }

  stopAll(): void {
    for (const id of [...this.tours.keys()]) this.stop(id);
  }

  /** Someone steers by hand: the tour waits until they have been idle long enough. */
  async manual(cameraId: number): Promise<void> {
    const tour = this.tours.get(cameraId);
    if (!tour) return;
    const camera = await this.d.cameras.get(cameraId);
    tour.pausedUntil = this.now() + (camera?.settings.ptzTour.resumeAfterIdleSeconds ?? 60) * 1000;
    tour.wake?.();
  }

  status(cameraId: number): TourStatus {
    const t = this.tours.get(cameraId);
    if (!t) return { running: false, pausedUntil: null, stop: null };
    return { running: true, pausedUntil: t.pausedUntil > this.now() ? t.pausedUntil : null, stop: t.stop };
  }

  private async run(cameraId: number, tour: Tour): Promise<void> {
    const signal = tour.abort.signal;
    while (!signal.aborted) {
      if (tour.pausedUntil > this.now()) {
        await this.sleep(tour, tour.pausedUntil - this.now());
        continue;
      }
      const camera = await this.d.cameras.get(cameraId).catch(() => undefined);
      const stops = camera?.settings.ptzTour.stops ?? [];
      if (!camera || !stops.length) return void this.stop(cameraId);
      const at = stops[tour.stop % stops.length]!;
      try {
        await this.d.ptz.command(cameraId, { action: 'goto', preset: at.preset });
      } catch (err) {
        // A refused preset (deleted on the camera) or a camera away for a while: log, keep touring.
        this.d.log.warn('guard tour: going to a preset failed', { cameraId, preset: at.preset, err: (err as Error).message });
      }
      const dwellEnd = this.now() + at.dwellSeconds * 1000;
      while (!signal.aborted && this.now() < dwellEnd && tour.pausedUntil <= this.now()) await this.sleep(tour, dwellEnd - this.now());
      // Interrupted by a manual command: go back to this stop once resumed, not the next one.
      if (tour.pausedUntil <= this.now()) tour.stop = (tour.stop + 1) % stops.length;
    }
  }

  /** Waits up to ms, or until stopped or a manual command arrives. */
  private sleep(tour: Tour, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        tour.wake = undefined;
        tour.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, Math.max(0, ms));
      tour.wake = done;
      tour.abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}
