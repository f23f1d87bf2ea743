import type { AlertMessage } from '../domain/socket.events.js';
import type { AlertRecord } from '../store/alert.repository.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';

export const snapshotUrl = (e: EventRecord): string | null =>
  e.snapshotPath && e.mediaDeletedAt === null ? `/api/events/${e.id}/snapshots/best.jpg?v=${e.bestAt ?? e.startAt}` : null;

/** Builds the AlertMessage the UI shows (socket pushes, catch-up and REST lists alike). */
export class AlertViews {
  constructor(private readonly repos: Pick<Repositories, 'cameras' | 'events'>) {}

  async one(a: AlertRecord): Promise<AlertMessage> {
    return (await this.many([a]))[0]!;
  }

  async many(alerts: AlertRecord[]): Promise<AlertMessage[]> {
    const cameras = new Map<number, CameraRecord | undefined>();
    const events = new Map<number, EventRecord | undefined>();
    for (const a of alerts) {
      if (a.cameraId !== null && !cameras.has(a.cameraId)) cameras.set(a.cameraId, await this.repos.cameras.getIncludingRemoved(a.cameraId));
      if (a.eventId !== null && !events.has(a.eventId)) events.set(a.eventId, await this.repos.events.get(a.eventId));
    }
    return alerts.map((a) =>
      alertMessage(a, a.cameraId === null ? undefined : cameras.get(a.cameraId), a.eventId === null ? undefined : events.get(a.eventId)),
    );
  }
}

function alertMessage(a: AlertRecord, cam: CameraRecord | undefined, ev: EventRecord | undefined): AlertMessage {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    state: a.state,
    cameraId: a.cameraId,
    cameraName: a.cameraId === null ? null : (cam?.name ?? `#${a.cameraId}`),
    areaId: a.areaId,
    eventId: a.eventId,
    label: ev?.label ?? null,
    score: ev?.score ?? null,
    zones: ev?.zones ?? [],
    visibility: a.visibility,
    assigneeId: a.assigneeId,
    startedAt: ev?.startAt ?? a.createdAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    closedAt: a.closedAt,
    snapshotUrl: ev ? snapshotUrl(ev) : null,
  };
}

/** What residents' rooms get: no internal detail such as who it is assigned to. */
export const publicAlertMessage = (m: AlertMessage): AlertMessage => ({ ...m, assigneeId: null });
