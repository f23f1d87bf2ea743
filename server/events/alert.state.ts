import { AppError } from '../shared/errors.js';
import type { AlertState } from '../store/alert.repository.js';

/**
 * The alert workflow. resolved and false_alarm are final; assigned → assigned is a
 * re-assignment. A new alert can be dismissed as a false alarm at once (a swaying tree), but
 * resolving needs someone to have acknowledged it first.
 */
export const ALERT_TRANSITIONS: Readonly<Record<AlertState, readonly AlertState[]>> = {
  new: ['acknowledged', 'false_alarm'],
  acknowledged: ['assigned', 'resolved', 'false_alarm'],
  assigned: ['assigned', 'resolved', 'false_alarm'],
  resolved: [],
  false_alarm: [],
};

export const isClosed = (s: AlertState) => ALERT_TRANSITIONS[s].length === 0;

export function assertTransition(from: AlertState, to: AlertState): void {
  if (ALERT_TRANSITIONS[from].includes(to)) return;
  throw new AppError('invalid_transition', `an alert in state ${from} cannot become ${to}`, 409, {
    field: 'body.state',
    params: { from, to, allowed: [...ALERT_TRANSITIONS[from]] },
  });
}
