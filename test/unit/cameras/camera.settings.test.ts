import { describe, expect, it } from 'vitest';
import {
  cameraCreateSchema,
  cameraSettingsSchema,
  cameraUpdateSchema,
  defaultCameraSettings,
  readCameraSettings,
} from '../../../server/domain/camera.settings.js';
import { rulesSettingsSchema } from '../../../server/domain/camera.settings.rules.js';
import { motionSettingsSchema } from '../../../server/domain/camera.settings.motion.js';

describe('camera settings schema', () => {
  it('composes the motion, rules, recording, camera-event and privacy-mask parts with their defaults', () => {
    expect(defaultCameraSettings()).toEqual({
      motion: motionSettingsSchema.parse({}),
      rules: rulesSettingsSchema.parse({}),
      recording: { enabled: true },
      cameraEvents: { subscribe: false, action: 'wake', topics: [], wakeSeconds: 10 },
      privacyMasks: [],
      ptzTour: { stops: [], resumeAfterIdleSeconds: 60 },
    });
    expect(cameraSettingsSchema.parse({ recording: { days: 3 } }).recording.days).toBe(3);
    expect(cameraSettingsSchema.parse({ motion: { threshold: 20 } }).motion.threshold).toBe(20);
    expect(cameraSettingsSchema.parse({ rules: { labels: ['motorcycle'] } }).rules.labels).toEqual(['motorcycle']);
    expect(cameraSettingsSchema.safeParse({ rules: { minScore: 2 } }).success).toBe(false);
  });

  it('reads stored settings leniently: a bad part falls back to its defaults and is reported', () => {
    const r = readCameraSettings({ motion: { threshold: 'high' } });
    expect(r.settings).toEqual(defaultCameraSettings());
    expect(r.problems[0]).toMatch(/^motion\.threshold: /);
    expect(readCameraSettings(null).problems).toEqual([]);
  });
});

describe('registration schema', () => {
  const stream = { detect: { url: 'rtsp://10.0.0.5:554/Streaming/Channels/102' } };
  it('accepts a plain RTSP camera and an ONVIF-only registration', () => {
    expect(cameraCreateSchema.safeParse({ name: 'Cổng', streams: stream }).success).toBe(true);
    expect(
      cameraCreateSchema.safeParse({ name: 'Cổng', onvifUrl: 'http://10.0.0.5/onvif/device_service', credentials: { username: 'admin', password: '' } })
        .success,
    ).toBe(true);
    expect(cameraCreateSchema.safeParse({ name: 'MJPEG', streams: { detect: { url: 'http://10.0.0.6/video.mjpg' } } }).success).toBe(true);
  });
  it('names the field at fault', () => {
    const paths = (v: unknown) => cameraCreateSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ name: 'x' })).toEqual(['streams']);
    expect(paths({ name: 'x', streams: { detect: { url: 'rtsp://' } } })).toEqual(['streams.detect.url']);
    expect(paths({ name: 'x', streams: stream, longitude: 107 })).toEqual(['latitude']);
    expect(paths({ name: 'x', streams: stream, credentials: { username: '', password: 'p' } })).toEqual(['credentials.username']);
  });
  it('edits are partial; null clears', () => {
    expect(cameraUpdateSchema.parse({ credentials: null, areaId: null })).toEqual({ credentials: null, areaId: null });
    expect(cameraUpdateSchema.safeParse({ name: '' }).success).toBe(false);
  });
});
