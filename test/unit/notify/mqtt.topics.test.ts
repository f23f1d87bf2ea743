import { describe, expect, it } from 'vitest';
import { eventType, notificationMessages, topicName } from '../../../server/notify/mqtt.topics.js';

describe('MQTT topics', () => {
  it('turns Vietnamese camera names into one safe topic level', () => {
    expect(topicName('Cổng chợ Đình', 3)).toBe('cong_cho_dinh');
    expect(topicName('a/b+#c', 3)).toBe('a_b_c');
    expect(topicName('', 7)).toBe('camera_7');
    expect(topicName(null, null)).toBe('camera_system');
  });

  it('maps notification kinds to Frigate event types and publishes events only for alerts', () => {
    expect(['alert.new', 'alert.updated', 'alert.resolved', 'camera.offline', 'camera.online'].map((k) => eventType(k as never))).toEqual([
      'new',
      'update',
      'end',
      'new',
      'end',
    ]);
    const base = {
      id: 1,
      key: 'k',
      kind: 'announcement' as const,
      cameraId: null,
      areaId: 2,
      severity: null,
      label: null,
      visibility: 'shared' as const,
      at: 5,
    };
    expect(notificationMessages('p', { ...base, payload: { text: 'họp tổ' } }).map((m) => m.topic)).toEqual(['p/alerts']);
    const withAlert = notificationMessages('p', { ...base, kind: 'alert.new', payload: { alert: { id: 9 }, before: null } });
    expect(withAlert.map((m) => m.topic)).toEqual(['p/events', 'p/alerts']);
    expect(JSON.parse(String(withAlert[0]!.payload))).toMatchObject({ type: 'new', before: null, after: { id: 9 }, key: 'k' });
  });
});
