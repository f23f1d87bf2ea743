import type { Executor } from './db.js';
import { insertReturningId, toBool } from './repository.util.js';

/** A resident's comment on an event they can see; `flag` marks "this matters" (or "this is wrong"). */
export interface EventComment {
  id: number;
  eventId: number;
  userId: number | null;
  /** The author's display name (else username). */
  authorName: string | null;
  body: string;
  flag: boolean;
  createdAt: number;
}

interface CommentRow {
  id: number;
  event_id: number;
  user_id: number | null;
  body: string;
  flag: unknown;
  created_at: number;
  author_display_name: string | null;
  author_username: string | null;
}
const toComment = (r: CommentRow): EventComment => ({
  id: r.id,
  eventId: r.event_id,
  userId: r.user_id,
  authorName: r.author_display_name || r.author_username || null,
  body: r.body,
  flag: toBool(r.flag),
  createdAt: Number(r.created_at),
});

export class CommentRepository {
  constructor(private readonly db: Executor) {}

  async add(c: Omit<EventComment, 'id' | 'createdAt' | 'authorName'>, now = Date.now()): Promise<EventComment> {
    const id = await insertReturningId(this.db('event_comments'), {
      event_id: c.eventId,
      user_id: c.userId,
      body: c.body,
      flag: c.flag,
      created_at: now,
    });
    return toComment((await this.withAuthors().where('event_comments.id', id).first())!);
  }

  async forEvent(eventId: number): Promise<EventComment[]> {
    return (await this.withAuthors().where('event_comments.event_id', eventId).orderBy('event_comments.id')).map(toComment);
  }

  async flagCount(eventId: number): Promise<number> {
    const [row] = await this.db('event_comments').where({ event_id: eventId, flag: true }).count<{ n: number | string }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }

  private withAuthors() {
    return this.db<CommentRow>('event_comments')
      .leftJoin('users', 'users.id', 'event_comments.user_id')
      .select('event_comments.*', { author_display_name: 'users.display_name', author_username: 'users.username' });
  }
}
