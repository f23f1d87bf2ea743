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

export function repositories(db: Executor): Repositories {
  return {
    areas: new AreaRepository(db),
    cameras: new CameraRepository(db),
    recordings: new RecordingRepository(db),
    events: new EventRepository(db),
    alerts: new AlertRepository(db),
    notes: new NoteRepository(db),
    comments: new CommentRepository(db),
    clips: new ClipRepository(db),
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

export function createStore(db: Knex): Store {
  return {
    db,
    ...repositories(db),
    transaction: (fn) => db.transaction((trx) => fn(repositories(trx))),
  };
}
