import { describe, expect, it } from 'vitest';
import { cameraEventsSettingsSchema, isTrigger, topicLabel } from '../../../server/domain/camera.settings.events.js';

describe('camera event triggers', () => {
  const s = (o: object) => cameraEventsSettingsSchema.parse({ subscribe: true, ...o });
  it('a state topic triggers on true, not on its false (end)', () => {
    expect(isTrigger(s({}), 'tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' })).toBe(true);
    expect(isTrigger(s({}), 'tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'false' })).toBe(false);
    expect(isTrigger(s({}), 'tns1:RuleEngine/LineDetector/Crossed', { ObjectId: '3' })).toBe(true);
  });
  it('topics filter by part of the topic, case-insensitive', () => {
    const only = s({ topics: ['tamper', 'LineDetector'] });
    expect(isTrigger(only, 'tns1:VideoSource/Tamper', { State: 'true' })).toBe(true);
    expect(isTrigger(only, 'tns1:RuleEngine/LineDetector/Crossed', {})).toBe(true);
    expect(isTrigger(only, 'tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' })).toBe(false);
  });
  it('labels drop the namespace prefix; off by default; bad settings name the field', () => {
    expect(topicLabel('tns1:RuleEngine/CellMotionDetector/Motion')).toBe('RuleEngine/CellMotionDetector/Motion');
    expect(cameraEventsSettingsSchema.parse({})).toMatchObject({ subscribe: false, action: 'wake', topics: [] });
    const bad = cameraEventsSettingsSchema.safeParse({ action: 'siren' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['action']);
  });
});
