import { z } from 'zod';
import { polygonArea } from './geometry.js';

/**
 * The motion part of a camera's settings (the cameras issue composes it into the whole
 * camera settings schema). Every field has a default, limits and a description, so
 * `motionSettingsSchema.parse({})` gives a working detector and the UI can render the form.
 * Coordinates of masks are frame-relative (0..1) so they survive a change of detect size.
 */

const relative = z.number().min(0, 'must be between 0 and 1 (fraction of the frame)').max(1, 'must be between 0 and 1 (fraction of the frame)');

export const motionMaskSchema = z
  .array(z.tuple([relative, relative]), { error: 'a mask is a list of [x, y] points' })
  .min(3, 'a mask needs at least 3 points')
  .max(64, 'a mask has at most 64 points')
  .refine((poly) => polygonArea(poly) > 1e-6, 'the mask encloses no area: its points lie on a line or on top of each other')
  .describe('Polygon of [x, y] points in frame-relative coordinates (0..1) where motion never counts (timestamps, trees, a busy road)');

export const motionSettingsSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Motion gates object detection; when off the whole frame is treated as moving (object detection on every analysed frame)'),
    frameHeight: z
      .number()
      .int()
      .min(60)
      .max(360)
      .default(120)
      .describe('Approximate height in pixels of the shrunk grey image motion works on (the detect frame is divided by a whole factor)'),
    contrastStretch: z
      .boolean()
      .default(true)
      .describe('Stretch the grey levels between slowly averaged 4th and 96th percentiles, so dim night scenes still show motion'),
    blur: z.boolean().default(true).describe('Smooth the shrunk image (3×3) before comparing, to ignore sensor noise and compression artefacts'),
    threshold: z.number().int().min(1).max(255).default(30).describe('Grey-level difference from the background above which a pixel counts as changed'),
    alpha: z
      .number()
      .min(0.0005)
      .max(0.5)
      .default(0.01)
      .describe('Weight of each new frame in the running-average background; higher adapts faster to slow changes but absorbs slow movers'),
    calibrationAlpha: z.number().min(0.01).max(1).default(0.2).describe('Background weight of each frame while (re)calibrating'),
    calibrationFrames: z
      .number()
      .int()
      .min(1)
      .max(300)
      .default(10)
      .describe('Most frames spent calibrating before motion is reported again, even if the scene has not settled'),
    settleFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.05)
      .describe('Calibration ends early once no more than this fraction of the frame differs from the background'),
    dilation: z.number().int().min(0).max(4).default(1).describe('Rounds of 3×3 dilation joining nearby changed pixels into one moving blob'),
    minArea: z.number().min(0).max(0.5).default(0.0004).describe('Smallest moving blob reported, as a fraction of the frame area'),
    globalChangeFraction: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.5)
      .describe(
        'When more than this fraction of the frame changes at once (a light, IR switching, lightning) the background is recalibrated instead of reporting motion',
      ),
    maxBoxes: z.number().int().min(1).max(256).default(32).describe('Most motion boxes per frame; further blobs are merged into the last box'),
    masks: z.array(motionMaskSchema).max(32, 'at most 32 masks').default([]).describe('Areas where motion never counts'),
  })
  .strict();

export type MotionSettings = z.infer<typeof motionSettingsSchema>;
export type MotionSettingsInput = z.input<typeof motionSettingsSchema>;
export type MotionMask = z.infer<typeof motionMaskSchema>;

/** Defaults, with optional overrides validated the same way as stored settings. */
export const motionSettings = (overrides: MotionSettingsInput = {}): MotionSettings => motionSettingsSchema.parse(overrides);
