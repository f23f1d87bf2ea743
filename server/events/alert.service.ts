import { AppError, notFound } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { AlertHistoryEntry, AlertKind, AlertRecord, AlertSeverity, AlertState } from '../store/alert.repository.js';
import type { Visibility } from '../store/camera.repository.js';
import type { EventRecord, NewEvent } from '../store/event.repository.js';
import type { Note, NoteVisibility } from '../store/note.repository.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor } from '../auth/access.scope.js';
import type { AlertPublisher } from './alert.publisher.js';
import { assertTransition, isClosed } from './alert.state.js';
import { AlertViews } from './alert.view.js';
import type { AlertMessage } from '../domain/socket.events.js';
import { enqueueAlertNotification } from './alert.notify.js';
import type { Clock } from '../shared/clock.js';

export interface AlertServiceDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'alerts' | 'cameras' | 'events' | 'outbox'>;
  publisher: AlertPublisher;
  views: AlertViews;
  clock: Clock;
  log: Logger;
}

/** An alert written, with the view built inside the same transaction (published as is). */
interface Raised {
  alert: AlertRecord;
  view: AlertMessage;
}

export interface StateChanged extends Raised {
  history: AlertHistoryEntry;
  note: Note | null;
}

export interface StateChange {
  state: AlertState;
  note?: string;
  /** Who sees the note: internal (police) by default, public for the residents' feedback. */
  noteVisibility?: NoteVisibility;
  /** Required for `assigned`. */
  assigneeId?: number;
}

/**
 * Raises alerts and runs their workflow. Each change is one transaction (alert row,
 * history row, note) and is published only after it committed.
 */
export class AlertService {
  constructor(private readonly d: AlertServiceDeps) {}

  /** `at`: when the alert was decided (a retried write keeps it). */
  async raiseForEvent(ev: EventRecord, severity: AlertSeverity, note: string | null = null, at = this.d.clock.now()): Promise<AlertRecord> {
    const { alert, view } = await this.d.store.transaction((tx) => this.insertObjectAlert(tx, ev, severity, at, note));
    this.d.publisher.created(view);
    return alert;
  }

  /**
   * The event row and its alert in ONE transaction (issue 19 item 4: a kill between the two
   * lost the alert forever), published right after the commit: nothing slow (no snapshot
   * encode) sits between confirmation and `alert:new` (issue 11 §3). `severity` null = no alert yet.
   */
  async createEventWithAlert(e: NewEvent, severity: AlertSeverity | null, at: number): Promise<{ event: EventRecord; alert: AlertRecord | undefined }> {
    const out = await this.d.store.transaction(async (tx) => {
      const event = await tx.events.create(e, at);
      const raised = severity ? await this.insertObjectAlert(tx, event, severity, at, null) : undefined;
      return { event, raised };
    });
    if (out.raised) this.d.publisher.created(out.raised.view);
    return { event: out.event, alert: out.raised?.alert };
  }

  /** The event's snapshot came after its alert: clients get the picture as `alert:updated`. */
  async snapshotReady(eventId: number): Promise<void> {
    const out = await this.d.store.transaction(async (tx) => {
      const alert = await tx.alerts.byEvent(eventId);
      if (!alert) return undefined;
      return { alert, view: await enqueueAlertNotification(tx, `alert:${alert.id}:snapshot`, alert, null, 'changed', this.d.clock.now()) };
    });
    if (out) this.d.publisher.updated(out.view, { visibility: out.alert.visibility, areaId: out.alert.areaId });
  }

  private async insertObjectAlert(tx: Repositories, ev: EventRecord, severity: AlertSeverity, at: number, note: string | null): Promise<Raised> {
    const a = await tx.alerts.create({ kind: 'object', severity, eventId: ev.id, cameraId: ev.cameraId, areaId: ev.areaId, visibility: ev.visibility }, at);
    await tx.alerts.addHistory({ alertId: a.id, fromState: null, toState: 'new', userId: null, note, at });
    return { alert: a, view: await enqueueAlertNotification(tx, `alert:${a.id}:new`, a, null, 'raised', at) };
  }

  /** A camera that went offline is itself an alert for the police; one per outage. */
  async raiseCameraOffline(cameraId: number, reason: string | null, at: number): Promise<AlertRecord | undefined> {
    const cam = await this.d.store.cameras.getIncludingRemoved(cameraId);
    if (!cam) return undefined;
    return this.raiseCondition({ kind: 'camera_offline', cameraId, areaId: cam.areaId }, reason, at);
  }

  /** The camera is back: its open offline alert is resolved by the system. */
  closeCameraOffline(cameraId: number, at: number): Promise<AlertRecord | undefined> {
    return this.closeCondition('camera_offline', cameraId, 'camera back online', at);
  }

  /**
   * The recordings disk fell below its free-space floor (issue 19 item 2): a system alert of
   * the server (no camera, every police screen), one per episode; `reason` says how low.
   */
  raiseDiskLow(reason: string | null, at: number): Promise<AlertRecord | undefined> {
    return this.raiseCondition({ kind: 'disk_low', cameraId: null, areaId: null }, reason, at);
  }

  /** Free space is back above the floor: the open disk alert is resolved by the system. */
  closeDiskLow(note: string, at: number): Promise<AlertRecord | undefined> {
    return this.closeCondition('disk_low', null, note, at);
  }

  /** An alert for a condition (not an event): raised only when none of its kind is open for the same camera (or the server). */
  private async raiseCondition(
    what: { kind: AlertKind; cameraId: number | null; areaId: number | null },
    reason: string | null,
    at: number,
  ): Promise<AlertRecord | undefined> {
    const raised = await this.d.store.transaction(async (tx): Promise<Raised | undefined> => {
      if (await tx.alerts.openOfKind(what.cameraId, what.kind)) return undefined;
      const a = await tx.alerts.create({ ...what, severity: 'high', eventId: null, visibility: 'internal' }, at);
      await tx.alerts.addHistory({ alertId: a.id, fromState: null, toState: 'new', userId: null, note: reason, at });
      return { alert: a, view: await enqueueAlertNotification(tx, `alert:${a.id}:new`, a, null, 'raised', at) };
    });
    if (raised) this.d.publisher.created(raised.view);
    return raised?.alert;
  }

  /** The condition ended: the system resolves its open alert, whatever state the police left it in. */
  private async closeCondition(kind: AlertKind, cameraId: number | null, note: string, at: number): Promise<AlertRecord | undefined> {
    const closed = await this.d.store.transaction(async (tx): Promise<Raised | undefined> => {
      const open = await tx.alerts.openOfKind(cameraId, kind);
      if (!open) return undefined;
      await tx.alerts.update(open.id, { state: 'resolved', closedAt: at }, at);
      const h = await tx.alerts.addHistory({ alertId: open.id, fromState: open.state, toState: 'resolved', userId: null, note, at });
      const after = (await tx.alerts.get(open.id))!;
      return { alert: after, view: await enqueueAlertNotification(tx, `alert:${open.id}:h${h.id}`, after, open, 'condition_ended', at) };
    });
    if (closed) this.d.publisher.updated(closed.view, closed.alert);
    return closed?.alert;
  }

  /**
   * One transaction reads, writes and builds the view that is published and answered (issue 15:
   * an acknowledge took 26 s on a busy SQLite server because each of its ~23 separate queries
   * waited behind the whole connection queue; now the request waits three times: session,
   * authorize, this).
   */
  async changeState(alertId: number, change: StateChange, actor: Actor): Promise<StateChanged> {
    const at = this.d.clock.now();
    const result = await this.d.store.transaction(async (tx) => {
      const alert = await tx.alerts.get(alertId);
      if (!alert) throw notFound('alert', alertId);
      assertTransition(alert.state, change.state);
      const assigneeId = await this.assignee(tx, change);
      await tx.alerts.update(
        alertId,
        { state: change.state, ...(assigneeId !== undefined ? { assigneeId } : {}), closedAt: isClosed(change.state) ? at : null },
        at,
      );
      const history = await tx.alerts.addHistory({
        alertId,
        fromState: alert.state,
        toState: change.state,
        userId: actor.userId,
        note: change.note ?? null,
        at,
      });
      const note = change.note
        ? await tx.notes.add({ alertId, eventId: alert.eventId, userId: actor.userId, visibility: change.noteVisibility ?? 'internal', body: change.note }, at)
        : null;
      const after = (await tx.alerts.get(alertId))!;
      const view = await enqueueAlertNotification(tx, `alert:${alertId}:h${history.id}`, after, alert, 'changed', at);
      return { alert: after, view, history, note };
    });
    this.d.publisher.updated(result.view, result.alert);
    return result;
  }

  private async assignee(tx: Repositories, change: StateChange): Promise<number | undefined> {
    if (change.state !== 'assigned') return undefined;
    if (change.assigneeId === undefined) {
      throw new AppError('assignee_required', 'assigning an alert needs assigneeId', 400, { field: 'body.assigneeId' });
    }
    if (!(await tx.alerts.userExists(change.assigneeId))) {
      throw new AppError('assignee_not_found', `user ${change.assigneeId} does not exist`, 400, {
        field: 'body.assigneeId',
        params: { id: change.assigneeId },
      });
    }
    return change.assigneeId;
  }

  async addNote(alertId: number, body: string, visibility: NoteVisibility, actor: Actor): Promise<Note> {
    return this.d.store.transaction(async (tx) => {
      const alert = await tx.alerts.get(alertId);
      if (!alert) throw notFound('alert', alertId);
      return tx.notes.add({ alertId, eventId: alert.eventId, userId: actor.userId, visibility, body }, this.d.clock.now());
    });
  }

  /** An event was shared or unshared: its alerts follow, and the rooms are told. */
  async eventVisibilityChanged(eventId: number, visibility: Visibility, before: Visibility): Promise<void> {
    const at = this.d.clock.now();
    const out = await this.d.store.transaction(async (tx) => {
      await tx.alerts.setVisibilityForEvent(eventId, visibility, at);
      const alert = await tx.alerts.byEvent(eventId);
      return alert && { alert, view: await new AlertViews(tx).one(alert) };
    });
    if (out) this.d.publisher.updated(out.view, { visibility: before, areaId: out.alert.areaId });
  }
}
