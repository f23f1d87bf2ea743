import type { NotificationKind } from '../domain/notification.js';
import type { AlertMessage } from '../domain/socket.events.js';
import type { AlertRecord } from '../store/alert.repository.js';
import type { Repositories } from '../store/store.js';
import { isClosed } from './alert.state.js';
import { AlertViews } from './alert.view.js';

/** What an alert change means to people away from the wall. */
export type AlertChange = 'raised' | 'changed' | 'condition_ended';

export function notificationKind(a: AlertRecord, change: AlertChange): NotificationKind {
  if (a.kind === 'camera_offline' && change === 'raised') return 'camera.offline';
  if (a.kind === 'camera_offline' && change === 'condition_ended') return 'camera.online';
  if (change === 'raised') return 'alert.new';
  return isClosed(a.state) ? 'alert.resolved' : 'alert.updated';
}

/**
 * Writes the alert's notification into the outbox through the caller's transaction (issue 14
 * item 1): it exists exactly when the alert change does, and a kill after the commit loses
 * nothing. `key` is unique per change, so a replayed change notifies once.
 */
export async function enqueueAlertNotification(
  tx: Pick<Repositories, 'cameras' | 'events' | 'outbox'>,
  key: string,
  after: AlertRecord,
  before: AlertRecord | null,
  change: AlertChange,
  at: number,
  /** The alert's message when the caller has built it already (saves its queries inside the transaction). */
  built?: AlertMessage,
): Promise<void> {
  const views = new AlertViews(tx);
  const message = built ?? (await views.one(after));
  await tx.outbox.enqueue({
    kind: notificationKind(after, change),
    key,
    cameraId: after.cameraId,
    areaId: after.areaId,
    severity: after.severity,
    label: message.label,
    visibility: after.visibility,
    payload: { alert: message, before: before ? await views.one(before) : null },
    at,
  });
}
