import { describe, expect, it } from 'vitest';
import { ALERT_TRANSITIONS, assertTransition, isClosed } from '../../../server/events/alert.state.js';
import { AppError } from '../../../server/shared/errors.js';
import { ALERT_STATES, type AlertState } from '../../../server/store/alert.repository.js';

describe('alert state machine', () => {
  it('allows the workflow new → acknowledged → assigned → resolved | false_alarm', () => {
    const paths: AlertState[][] = [
      ['new', 'acknowledged', 'assigned', 'resolved'],
      ['new', 'acknowledged', 'assigned', 'false_alarm'],
      ['new', 'acknowledged', 'resolved'],
      ['new', 'false_alarm'],
      ['new', 'acknowledged', 'assigned', 'assigned', 'resolved'],
    ];
    for (const p of paths) for (let i = 1; i < p.length; i++) expect(() => assertTransition(p[i - 1]!, p[i]!)).not.toThrow();
  });

  it('refuses every other change with a 409 that lists what is allowed', () => {
    const allowed = new Set(Object.entries(ALERT_TRANSITIONS).flatMap(([f, tos]) => tos.map((t) => `${f}>${t}`)));
    let refused = 0;
    for (const from of ALERT_STATES) {
      for (const to of ALERT_STATES) {
        if (allowed.has(`${from}>${to}`)) continue;
        refused++;
        try {
          assertTransition(from, to);
          expect.fail(`${from} → ${to} should be refused`);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect(err).toMatchObject({
            code: 'invalid_transition',
            status: 409,
            details: { field: 'body.state', params: { from, to, allowed: ALERT_TRANSITIONS[from] } },
          });
        }
      }
    }
    expect(refused).toBe(25 - allowed.size);
    expect(() => assertTransition('new', 'resolved')).toThrow(/cannot become resolved/);
    expect(() => assertTransition('resolved', 'new')).toThrow();
  });

  it('treats resolved and false_alarm as final', () => {
    expect(ALERT_STATES.filter(isClosed)).toEqual(['resolved', 'false_alarm']);
  });
});
