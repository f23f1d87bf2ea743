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
 * nothing. `key` is unique per change, so a replayed change notifies once. Returns the view it
 * built, so the caller publishes that one instead of reading the camera and event again after
 * the commit (issue 15: every read outside a transaction waits behind SQLite's whole queue).
 */
export async function enqueueAlertNotification(
  tx: Pick<Repositories, 'cameras' | 'events' | 'outbox'>,
  key: string,
  after: AlertRecord,
  before: AlertRecord | null,
  change: AlertChange,
  at: number,
): Promise<AlertMessage> {
  // One pass: the alert before and after a change share their camera and event.
  const [message, beforeView] = await new AlertViews(tx).many(before ? [after, before] : [after]);
  await tx.outbox.enqueue({
    kind: notificationKind(after, change),
    key,
    cameraId: after.cameraId,
    areaId: after.areaId,
    severity: after.severity,
    label: message!.label,
    visibility: after.visibility,
    payload: { alert: message, before: beforeView ?? null },
    at,
  });
  return message!;
}
