import { z } from 'zod';

/** Cameras per wall screen: 1, 4, 9, 16, or 'fill' (every camera in the smallest square grid). */
export const WALL_LAYOUTS = [1, 4, 9, 16, 'fill'] as const;
export type WallLayoutName = (typeof WALL_LAYOUTS)[number];

/**
 * What a user chooses for their own screens and keeps across browsers (issue 15: the wall's
 * layout followed the browser, not the officer). Every key is optional: a missing one is the
 * UI's default. Unknown keys are refused, so a typo is an error, not a silent no-op.
 */
export const userPreferencesSchema = z
  .object({
    wallLayout: z
      .union([z.literal(1), z.literal(4), z.literal(9), z.literal(16), z.literal('fill')], {
        error: () => 'must be one of 1, 4, 9, 16 or "fill"',
      })
      .optional(),
  })
  .strict();
export type UserPreferences = z.infer<typeof userPreferencesSchema>;
export const PREFERENCE_KEYS = Object.keys(userPreferencesSchema.shape) as (keyof UserPreferences)[];
