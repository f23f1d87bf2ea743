import { defineConfig } from 'vitest/config';

/**
 * Tiers. Unit files run in parallel; integration and e2e files spawn ffmpeg, RTSP servers,
 * workers and Chromium, so they run one file at a time to stay steady on 2 cores. The
 * `camera-time` files mostly wait (for a camera to run for minutes, for retries, for rate
 * windows: little CPU), so scripts/run-tests.mjs runs them in a lane beside the integration tier.
 */
const CAMERA_TIME = [
  'test/integration/recording.clock.test.ts',
  'test/integration/recording.retention.test.ts',
  'test/integration/ingest.faults.test.ts',
  'test/integration/recording.reconcile.test.ts',
  'test/integration/recording.resize.test.ts',
  'test/integration/clips.head.test.ts',
  'test/integration/simcam.test.ts',
  'test/integration/recording.rtsp.test.ts',
  'test/integration/ingest.rtsp.test.ts',
  // Waiting for retries and backoff, rate windows and a CLI's servers rather than computing.
  'test/integration/notify.delivery.test.ts',
  'test/integration/security.login-flood.test.ts',
  'test/integration/auth.cli.test.ts',
  // Waiting for simulated ONVIF devices: their deadlines, their events, their PTZ moves.
  'test/integration/onvif-cli.test.ts',
  'test/integration/onvif-probe.test.ts',
  'test/integration/onvif-events.test.ts',
  'test/integration/camera-ptz.test.ts',
];
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: CAMERA_TIME,
          environment: 'node',
          fileParallelism: false,
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'camera-time',
          include: CAMERA_TIME,
          environment: 'node',
          fileParallelism: false,
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // A station PC is never idle: a page may take seconds to render under load, so waiting
          // for what a person sees gets a generous default instead of expect.poll's 1 s.
          expect: { poll: { timeout: 20_000, interval: 100 } },
          fileParallelism: false,
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
