import type { viVideo2 } from './vi.video2.js';

/** English for vi.video2.ts (the compiler checks the keys). */
export const enVideo2: Record<keyof typeof viVideo2, string> = {
  'burst.count': '{n} alerts',
  'burst.show': 'Show {n} alerts of this burst',
  'burst.hide': 'Collapse this burst',
  'burst.showFor': 'Show {n} alerts of this burst at {where}',
  'burst.span': 'within {seconds} s',

  'player.fallback': 'Playing the recording around the event while the clip is being made.',

  'datetime.badDate': '"{text}" is not a valid date: type day/month/year, e.g. 07/12/2026.',
  'datetime.badTime': '"{text}" is not a valid time: type hours:minutes, 24-hour, e.g. 21:30.',
  'datetime.badTimeSeconds': '"{text}" is not a valid time: type hours:minutes or hours:minutes:seconds, 24-hour, e.g. 21:30:05.',

  'zones.finishFirst': 'A shape is still being drawn: press "Finish" to add it or "Cancel" to drop it, then save.',
  'zones.cancelOrFinish': 'The shape being drawn has fewer than 3 points: add points and press "Finish", or press "Cancel", then save.',
};
