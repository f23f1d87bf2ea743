import { EventEmitter } from 'node:events';
import type { Box, Frame } from '../domain/frame.js';
import type { CameraState } from '../domain/camera.js';

/**
 * In-process events, one way along the pipeline: frames → motion → objects → tracks →
 * events → alerts. Topics are typed here, never bare strings elsewhere.
 */
export interface TrackMessage {
  cameraId: number;
  /** Unique per camera session, e.g. "3-17". */
  trackId: string;
  label: string;
  /** Best score so far. */
  score: number;
  /** Latest box in detect-frame pixels. */
  box: Box;
  frameWidth: number;
  frameHeight: number;
  /** Capture time (epoch ms) of the first and latest detection. */
  firstSeenAt: number;
  lastSeenAt: number;
  /** Detections matched to this track so far (the confirming ones included). */
  hits: number;
  stationary: boolean;
  /** The frame with the best score so far, with that detection's box and score. */
  best: { frame: Frame; box: Box; score: number };
}

export interface BusEvents {
  'camera.state': { cameraId: number; state: CameraState; reason: string | null; at: number };
  /** A camera was registered, edited or removed (server/cameras/camera.service.ts). */
  'camera.changed': { cameraId: number; change: 'created' | 'updated' | 'removed'; at: number };
  /** An event from the camera itself (ONVIF PullPoint: motion, tamper, line crossing, I/O), server/cameras/camera.events.ts. */
  'camera.event': { cameraId: number; topic: string; time: string | null; source: Record<string, string>; data: Record<string, string>; at: number };
  'track.start': TrackMessage;
  'track.update': TrackMessage;
  'track.end': TrackMessage & { reason: 'lost' | 'stopped' };
  /** The recordings disk against its free-space floor (server/ingest/recording.retention.ts): at the first sweep and on every change. */
  'disk.state': { state: 'ok' | 'low'; message: string | null; freeBytes: number | null; minFreeBytes: number; at: number };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

export class Bus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  on<K extends keyof BusEvents>(topic: K, fn: Listener<K>): () => void {
    this.emitter.on(topic, fn);
    return () => this.emitter.off(topic, fn);
  }
  /** A throwing listener must not break the stage that emitted: it is reported, not propagated. */
  emit<K extends keyof BusEvents>(topic: K, payload: BusEvents[K]): void {
    for (const fn of this.emitter.listeners(topic) as Listener<K>[]) {
      try {
        fn(payload);
      } catch (err) {
        this.emitter.emit('listener-error', { topic, err });
      }
    }
  }
  onListenerError(fn: (e: { topic: string; err: unknown }) => void): void {
    this.emitter.on('listener-error', fn);
  }
}
