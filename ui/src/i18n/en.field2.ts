import type { viField2 } from './vi.field2.js';

/** Guard tours of PTZ cameras in English; see en.ts. */
export const enField2: Record<keyof typeof viField2, string> = {
  'tour.title': 'Guard tour',
  'tour.off': 'Off.',
  'tour.running': 'Touring: stop {n} of {total}.',
  'tour.paused': 'Paused while someone steers by hand; resumes at {time}.',
  'tour.start': 'Start the tour',
  'tour.stop': 'Stop the tour',
  'tour.none': 'No tour yet: choose presets and the seconds to stay at each, then save.',
  'tour.stops': 'Tour stops',
  'tour.include': 'Include {name} in the tour',
  'tour.dwell': 'Seconds at {name}',
  'tour.idle': 'Resume after this many seconds without manual control',
  'tour.saveStops': 'Save the tour',
  'tour.saved': 'Tour saved.',
};
