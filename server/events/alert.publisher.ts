import type { AlertMessage } from '../domain/socket.events.js';
import type { Visibility } from '../store/camera.repository.js';

/**
 * Where alerts go once they are in the database (socket.io in production, a recorder in
 * tests). The database is written first, so a client that misses a push catches up from it.
 */
export interface AlertPublisher {
  created(alert: AlertMessage): void;
  /** `before` is the audience the alert had, so a room that may no longer see it is told to drop it. */
  updated(alert: AlertMessage, before: { visibility: Visibility; areaId: number | null }): void;
}
