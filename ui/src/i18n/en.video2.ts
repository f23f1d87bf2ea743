import type { viVideo2 } from './vi.video2.js';

/** English for vi.video2.ts (the compiler checks the keys). */
export const enVideo2: Record<keyof typeof viVideo2, string> = {
  'burst.count': '{n} alerts',
  'burst.show': 'Show {n} alerts of this burst',
  'burst.hide': 'Collapse this burst',
  'burst.showFor': 'Show {n} alerts of this burst at {where}',
  'burst.span': 'within {seconds} s',

  'player.fallback': 'Playing the recording around the event while the clip is being made.',
};
