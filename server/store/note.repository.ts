import type { Executor } from './db.js';
import { insertReturningId } from './repository.util.js';

/** internal: police only; public: the feedback residents who can see the event read. */
export const NOTE_VISIBILITIES = ['internal', 'public'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

export interface Note {
  id: number;
  alertId: number | null;
  eventId: number | null;
  userId: number | null;
  visibility: NoteVisibility;
  body: string;
  createdAt: number;
}

interface NoteRow {
  id: number;
  alert_id: number | null;
  event_id: number | null;
  user_id: number | null;
  visibility: NoteVisibility;
  body: string;
  created_at: number;
}
const toNote = (r: NoteRow): Note => ({
  id: r.id,
  alertId: r.alert_id,
  eventId: r.event_id,
  userId: r.user_id,
  visibility: r.visibility,
  body: r.body,
  createdAt: Number(r.created_at),
});

export class NoteRepository {
  constructor(private readonly db: Executor) {}

  async add(n: Omit<Note, 'id' | 'createdAt'>, now = Date.now()): Promise<Note> {
    const id = await insertReturningId(this.db('notes'), {
      alert_id: n.alertId,
      event_id: n.eventId,
      user_id: n.userId,
      visibility: n.visibility,
      body: n.body,
      created_at: now,
    });
    return { id, ...n, createdAt: now };
  }

  /** Notes of an event and of its alerts; `publicOnly` for residents. */
  async forEvent(eventId: number, publicOnly: boolean): Promise<Note[]> {
    const q = this.db<NoteRow>('notes').where({ event_id: eventId }).orderBy('id');
    if (publicOnly) q.where({ visibility: 'public' });
    return (await q).map(toNote);
  }

  async forAlert(alertId: number, publicOnly: boolean): Promise<Note[]> {
    const q = this.db<NoteRow>('notes').where({ alert_id: alertId }).orderBy('id');
    if (publicOnly) q.where({ visibility: 'public' });
    return (await q).map(toNote);
  }
}
