import type { Knex } from 'knex';
import type { Executor } from './db.js';
import { AreaRepository } from './area.repository.js';
import { CameraRepository } from './camera.repository.js';
import { RecordingRepository } from './recording.repository.js';

/** Every repository bound to one executor; `transaction` hands the callback the same set bound to a transaction. */
export interface Repositories {
  areas: AreaRepository;
  cameras: CameraRepository;
  recordings: RecordingRepository;
}

export function repositories(db: Executor): Repositories {
  return {
    areas: new AreaRepository(db),
    cameras: new CameraRepository(db),
    recordings: new RecordingRepository(db),
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
