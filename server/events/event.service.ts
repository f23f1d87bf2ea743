import { notFound } from '../shared/errors.js';
import type { AlertHistoryEntry } from '../store/alert.repository.js';
import type { Visibility } from '../store/camera.repository.js';
import type { EventComment } from '../store/comment.repository.js';
import type { AccessScope, EventFilter, EventRecord, EventSort, Page } from '../store/event.repository.js';
import type { Note, NoteVisibility } from '../store/note.repository.js';
import type { Repositories } from '../store/store.js';
import type { Actor } from '../auth/access.scope.js';
import type { AlertService } from './alert.service.js';
import type { AlertViews } from './alert.view.js';
import type { Clock } from '../shared/clock.js';
import { authoredView, clipView, eventView } from './event.view.js';

export interface EventServiceDeps {
  repos: Pick<Repositories, 'events' | 'alerts' | 'notes' | 'comments' | 'clips' | 'cameras' | 'areas'>;
  alerts: Pick<AlertService, 'eventVisibilityChanged'>;
  views: AlertViews;
  clock: Clock;
  /** Pinning an event makes its clips' own files (clips/ClipService). */
  clips?: { eventPinned(eventId: number): void };
}

/** What a resident's flag on an event turns into (a report linked to the event, server/reports). */
export type FlagHandler = (ev: EventRecord, flag: { body: string }, actor: Actor) => Promise<void>;

export type EventQuery = Omit<EventFilter, 'areaIds'> & { areaId?: number };

/**
 * Reading and curating events: lists (always through an access scope), one event with
 * everything around it, sharing with residents, pinning as evidence, residents' comments
 * and police notes.
 */
export class EventService {
  /** Set by the composition root once the reports module exists. */
  onFlag: FlagHandler | undefined;
  constructor(private readonly d: EventServiceDeps) {}

  async list(q: EventQuery, scope: AccessScope, page: Page<EventSort>) {
    const { areaId, ...rest } = q;
    const filter: EventFilter = { ...rest, ...(areaId !== undefined ? { areaIds: await this.d.repos.areas.descendantIds(areaId) } : {}) };
    const { items, total } = await this.d.repos.events.list(filter, scope, page);
    return { items: items.map(eventView), total, limit: page.limit, offset: page.offset };
  }

  /** The event or a 404; callers check access on it before showing anything. */
  async get(id: number): Promise<EventRecord> {
    const ev = await this.d.repos.events.get(id);
    if (!ev) throw notFound('event', id);
    return ev;
  }

  /**
   * One event with its camera, clip, snapshots, alert (and history), notes and comments. `full` =
   * police view; `viewerId` marks the reader's own comments (residents never see others' user ids).
   */
  async detail(id: number, full: boolean, viewerId: number | null = null) {
    const ev = await this.get(id);
    const [camera, clip, alert, notes, comments] = await Promise.all([
      this.d.repos.cameras.getIncludingRemoved(ev.cameraId),
      this.d.repos.clips.byEvent(id),
      this.d.repos.alerts.byEvent(id),
      this.d.repos.notes.forEvent(id, !full),
      this.d.repos.comments.forEvent(id),
    ]);
    const history = alert ? await this.d.repos.alerts.history(alert.id) : [];
    return {
      event: eventView(ev),
      camera: camera ? { id: camera.id, name: camera.name, areaId: camera.areaId, address: camera.address } : null,
      clip: clip ? clipView(clip) : null,
      alert: alert ? { ...(await this.d.views.one(alert)), ...(full ? {} : { assigneeId: null }) } : null,
      history: history.map((h) => (full ? h : publicHistory(h))),
      notes: notes.map((n) => authoredView(n, full, viewerId)),
      comments: comments.map((c) => authoredView(c, full, viewerId)),
    };
  }

  async setVisibility(id: number, visibility: Visibility) {
    const ev = await this.get(id);
    if (ev.visibility !== visibility) {
      await this.d.repos.events.update(id, { visibility }, this.d.clock.now());
      await this.d.alerts.eventVisibilityChanged(id, visibility, ev.visibility);
    }
    return eventView({ ...ev, visibility });
  }

  /** Pinned events keep their snapshots and clip forever (evidence). */
  async setPinned(id: number, pinned: boolean) {
    const ev = await this.get(id);
    await this.d.repos.events.update(id, { pinned }, this.d.clock.now());
    await this.d.repos.clips.setPinnedForEvent(id, pinned);
    if (pinned) this.d.clips?.eventPinned(id); // pinned evidence gets files of its own
    return eventView({ ...ev, pinned });
  }

  async comment(id: number, c: { body: string; flag: boolean }, actor: Actor): Promise<EventComment> {
    const ev = await this.get(id);
    // The report first: if it is refused (rate limit), the flag is not stored either.
    if (c.flag && this.onFlag) await this.onFlag(ev, { body: c.body }, actor);
    return this.d.repos.comments.add({ eventId: id, userId: actor.userId, body: c.body, flag: c.flag }, this.d.clock.now());
  }

  /** A note on the event, attached to its alert when it has one. */
  async note(id: number, n: { body: string; visibility: NoteVisibility }, actor: Actor): Promise<Note> {
    await this.get(id);
    const alert = await this.d.repos.alerts.byEvent(id);
    return this.d.repos.notes.add(
      { eventId: id, alertId: alert?.id ?? null, userId: actor.userId, visibility: n.visibility, body: n.body },
      this.d.clock.now(),
    );
  }
}

/** Residents see what happened and when, not who did it or the police's own words (notes carry the public feedback). */
const publicHistory = (h: AlertHistoryEntry): AlertHistoryEntry => ({ ...h, userId: null, note: null });
