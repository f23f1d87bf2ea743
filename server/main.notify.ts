import type { ResolvedConfig } from './config/config.load.js';
import type { NotificationRecord } from './domain/notification.js';
import { MqttChannel } from './notify/mqtt.channel.js';
import type { NotifyChannel } from './notify/notify.channel.js';
import { createNotifyModule } from './notify/notify.module.js';
import { systemClock } from './shared/clock.js';
import type { Logger } from './shared/log.js';
import { MediaFiles } from './shared/media.files.js';
import type { Store } from './store/store.js';

/** The best snapshot of the alert's event, read from the data folder. */
function snapshotReader(store: Store, files: MediaFiles) {
  return async (n: NotificationRecord): Promise<Buffer | null> => {
    const eventId = (n.payload.alert as { eventId?: number | null } | undefined)?.eventId;
    if (typeof eventId !== 'number') return null;
    const ev = await store.events.get(eventId);
    if (!ev?.snapshotPath || ev.mediaDeletedAt !== null) return null;
    return (await files.read(ev.snapshotPath)) ?? null;
  };
}

/**
 * Part of the composition root: the notification channels the configuration turns on, and the
 * outbox workers over them (issue 14).
 */
export function wireNotify(d: { config: Pick<ResolvedConfig, 'notify' | 'mqtt' | 'dataDir'>; store: Store; log: Logger }) {
  const log = d.log.child('notify');
  const files = new MediaFiles(d.config.dataDir);
  const snapshot = snapshotReader(d.store, files);
  const channels: NotifyChannel[] = [];
  const { url } = d.config.mqtt;
  if (url) {
    const countOpen = (cameraId: number, label: string) => d.store.alerts.countOpenByLabel(cameraId, label);
    channels.push(new MqttChannel({ config: { ...d.config.mqtt, url }, log: log.child('mqtt'), countOpen, snapshot }));
  }
  return createNotifyModule({ store: d.store, config: d.config.notify, channels, clock: systemClock, log: d.log });
}
