import { z } from 'zod';

/**
 * The per-camera recording part of cameras.settings (`settings.recording`). Owned here and
 * composed into cameraSettingsSchema; stored settings without it mean "record with the global
 * retention".
 */
export const recordingSettingsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Continuous recording of this camera (when recording is on globally)'),
    days: z.number().min(0.01).max(3650).optional().describe("Days this camera's recordings are kept (default: retention.recordingDays)"),
  })
  .strict();

export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;
