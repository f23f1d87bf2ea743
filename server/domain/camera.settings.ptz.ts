import { z } from 'zod';

/**
 * A guard tour: the presets a PTZ camera visits in turn, each for its dwell time. Stored with
 * the camera; it runs only when the police or a technician starts it from the PTZ panel (off
 * by default, and after every restart), pauses while someone steers by hand and resumes after
 * `resumeAfterIdleSeconds` without a manual command.
 */
export const ptzTourSchema = z
  .object({
    stops: z
      .array(
        z
          .object({
            preset: z.string().trim().min(1, 'is required').max(64).describe('Preset token'),
            dwellSeconds: z.number().int().min(1).max(3600).default(15).describe('How long the camera stays at this preset'),
          })
          .strict(),
      )
      .max(32)
      .default([])
      .describe('Presets visited in order, then again from the first'),
    resumeAfterIdleSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe('After a manual PTZ command the tour waits this long without another before it resumes'),
  })
  .strict();

export type PtzTourSettings = z.infer<typeof ptzTourSchema>;
