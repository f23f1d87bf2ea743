import type { Knex } from 'knex';
import type { Executor } from './db.js';
import { AreaRepository } from './area.repository.js';
import { CameraRepository } from './camera.repository.js';
import { RecordingRepository } from './recording.repository.js';
import { AlertRepository } from './alert.repository.js';
import { ClipRepository } from './clip.repository.js';
import { CommentRepository } from './comment.repository.js';
import { EventRepository } from './event.repository.js';
import { NoteRepository } from './note.repository.js';
import { AuditRepository } from './audit.repository.js';
import { SessionRepository } from './session.repository.js';
import { SettingsRepository } from './settings.repository.js';
import { UserRepository } from './user.repository.js';
import { ReportRepository } from './report.repository.js';
import { EvaluationRepository } from './evaluation.repository.js';
import { AnnouncementRepository } from './announcement.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { NotifyRepository } from './notify.repository.js';
import { ReportLinkRepository } from './reportlink.repository.js';
import { PreferenceRepository } from './preference.repository.js';
import { noFence, type WriteFence } from './cluster.repository.js';

/** Every repository bound to one executor; `transaction` hands the callback the same set bound to a transaction. */
export interface Repositories {
  areas: AreaRepository;
  cameras: CameraRepository;
  recordings: RecordingRepository;
  events: EventRepository;
  alerts: AlertRepository;
  notes: NoteRepository;
  comments: CommentRepository;
  clips: ClipRepository;
  users: UserRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
  settings: SettingsRepository;
  reports: ReportRepository;
  evaluation: EvaluationRepository;
  announcements: AnnouncementRepository;
  outbox: OutboxRepository;
  notify: NotifyRepository;
  reportLinks: ReportLinkRepository;
  preferences: PreferenceRepository;
}

/**
 * A node of a cluster (issue 16): media rows it writes carry its id, the queries that manage
 * media on disk (retention, recovery at start) see only its own, and owner-only writes pass
 * the lease fence. Without it (one node) nothing changes.
 */
export interface NodeScope {
  nodeId: string;
  fence: WriteFence;
}

export function repositories(db: Executor, node?: NodeScope): Repositories {
  const scope = node ?? { nodeId: undefined, fence: noFence };
  return {
    areas: new AreaRepository(db),
    cameras: new CameraRepository(db),
    recordings: new RecordingRepository(db, scope),
    events: new EventRepository(db, scope),
    alerts: new AlertRepository(db),
    notes: new NoteRepository(db),
    comments: new CommentRepository(db),
    clips: new ClipRepository(db, scope),
    users: new UserRepository(db),
    sessions: new SessionRepository(db),
    audit: new AuditRepository(db),
    settings: new SettingsRepository(db),
    reports: new ReportRepository(db),
    evaluation: new EvaluationRepository(db),
    announcements: new AnnouncementRepository(db),
    outbox: new OutboxRepository(db),
    notify: new NotifyRepository(db),
    reportLinks: new ReportLinkRepository(db),
    preferences: new PreferenceRepository(db),
  };
}

export interface Store extends Repositories {
  db: Knex;
  /** Runs fn in one transaction; repositories inside must be the ones passed in (SQLite has one connection). */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}

export function createStore(db: Knex, node?: NodeScope): Store {
  return {
    db,
    ...repositories(db, node),
    transaction: (fn) => db.transaction((trx) => fn(repositories(trx, node))),
  };
}
