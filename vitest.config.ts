import { defineConfig } from 'vitest/config';

/**
 * Three tiers. Unit files run in parallel; integration and e2e files spawn ffmpeg, RTSP
 * servers, workers and Chromium, so they run one file at a time to stay steady on 2 cores.
 */
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
          environment: 'node',
          fileParallelism: false,
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
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
