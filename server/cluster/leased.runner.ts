/** The camera runner's shape (cameras/camera.runner.ts), restated so cluster/ needs nothing above store. */
export interface Runner<C extends { id: number }, K, F> {
  start(camera: C, credentials: K): Promise<void>;
  stop(cameraId: number): Promise<void>;
  grabTestFrame(cameraId: number, stream: 'detect' | 'record'): Promise<F | undefined>;
}

/**
 * The camera runner of a cluster node: the camera service asks to run every enabled camera
 * (at start, after an edit), but a node runs only the cameras whose lease it holds; the
 * coordinator starts and stops the rest as leases come and go. An edit of a camera this node
 * does not run is picked up by its owner from the camera row (cluster.coordinator.ts).
 */
export class LeasedRunner<C extends { id: number }, K, F> implements Runner<C, K, F> {
  constructor(
    readonly inner: Runner<C, K, F>,
    private readonly d: { holds(cameraId: number): boolean; kick(): void },
  ) {}

  async start(camera: C, credentials: K): Promise<void> {
    if (this.d.holds(camera.id)) await this.inner.start(camera, credentials);
    else this.d.kick();
  }

  async stop(cameraId: number): Promise<void> {
    if (this.d.holds(cameraId)) await this.inner.stop(cameraId);
    else this.d.kick();
  }

  grabTestFrame(cameraId: number, stream: 'detect' | 'record'): Promise<F | undefined> {
    return this.d.holds(cameraId) ? this.inner.grabTestFrame(cameraId, stream) : Promise.resolve(undefined);
  }
}
