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
  /** The author's display name (else username); null for notes written by the system. */
  authorName: string | null;
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
  author_display_name: string | null;
  author_username: string | null;
}
const toNote = (r: NoteRow): Note => ({
  id: r.id,
  alertId: r.alert_id,
  eventId: r.event_id,
  userId: r.user_id,
  authorName: r.author_display_name || r.author_username || null,
  visibility: r.visibility,
  body: r.body,
  createdAt: Number(r.created_at),
});

export class NoteRepository {
  constructor(private readonly db: Executor) {}

  async add(n: Omit<Note, 'id' | 'createdAt' | 'authorName'>, now = Date.now()): Promise<Note> {
    const id = await insertReturningId(this.db('notes'), {
      alert_id: n.alertId,
      event_id: n.eventId,
      user_id: n.userId,
      visibility: n.visibility,
      body: n.body,
      created_at: now,
    });
    return toNote((await this.withAuthors().where('notes.id', id).first())!);
  }

  /** Notes of an event and of its alerts; `publicOnly` for residents. */
  async forEvent(eventId: number, publicOnly: boolean): Promise<Note[]> {
    const q = this.withAuthors().where('notes.event_id', eventId).orderBy('notes.id');
    if (publicOnly) q.where('notes.visibility', 'public');
    return (await q).map(toNote);
  }

  async forAlert(alertId: number, publicOnly: boolean): Promise<Note[]> {
    const q = this.withAuthors().where('notes.alert_id', alertId).orderBy('notes.id');
    if (publicOnly) q.where('notes.visibility', 'public');
    return (await q).map(toNote);
  }

  private withAuthors() {
    return this.db<NoteRow>('notes')
      .leftJoin('users', 'users.id', 'notes.user_id')
      .select('notes.*', { author_display_name: 'users.display_name', author_username: 'users.username' });
  }
}
