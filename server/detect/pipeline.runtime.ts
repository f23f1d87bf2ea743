import type { Credentials } from '../ingest/stream.source.js';
import type { TestFrame } from '../ingest/ffmpeg.grab.js';
import type { IngestRuntime } from '../ingest/ingest.runtime.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { DetectService } from './detect.service.js';

/**
 * What the camera service starts and stops: ingest (one ffmpeg per stream) and, on its
 * frames, the detection pipeline. A restart (new streams or settings) stops detection first,
 * since its frame subscription belongs to the session being replaced.
 */
export class PipelineRuntime {
  constructor(
    private readonly ingest: IngestRuntime,
    private readonly detect: Pick<DetectService, 'start' | 'stop' | 'stopAll'>,
  ) {}

  async start(camera: CameraRecord, credentials: Credentials | null): Promise<void> {
    await this.detect.stop(camera.id);
    await this.ingest.start(camera, credentials);
    if (camera.enabled) this.detect.start(camera);
  }

  async stop(cameraId: number): Promise<void> {
    await this.detect.stop(cameraId);
    await this.ingest.stop(cameraId);
  }

  async stopAll(): Promise<void> {
    await this.detect.stopAll();
    await this.ingest.stopAll();
  }

  async grabTestFrame(cameraId: number, stream: 'detect' | 'record'): Promise<TestFrame | undefined> {
    return this.ingest.grabTestFrame(cameraId, stream);
  }
}
