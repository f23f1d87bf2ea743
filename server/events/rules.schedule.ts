import type { ScheduleWindow } from '../domain/camera.settings.rules.js';

/** Local weekday (0 = Sunday) and minutes since local midnight. */
export interface LocalClock {
  day: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Wall-clock time in `timeZone` (IANA): schedules are written in local time, times are stored in UTC. */
export function localClock(at: number, timeZone: string): LocalClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { day: WEEKDAYS.indexOf(parts.weekday ?? 'Sun'), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether the window is open at `clock`. A window whose end is before its start crosses
 * midnight, and the time after midnight belongs to the day it started on (so "Fridays
 * 22:00–05:00" covers Saturday 02:00). Equal start and end means the whole day.
 */
export function windowOpen(w: ScheduleWindow, clock: LocalClock): boolean {
  const start = toMinutes(w.start);
  const end = toMinutes(w.end);
  const dayOk = (d: number) => !w.days || w.days.includes(d);
  if (start === end) return dayOk(clock.day);
  if (start < end) return dayOk(clock.day) && clock.minutes >= start && clock.minutes < end;
  if (clock.minutes >= start) return dayOk(clock.day);
  return clock.minutes < end && dayOk((clock.day + 6) % 7);
}

/** The windows open now for this label; an empty schedule means always open (returns null). */
export function openWindows(schedule: readonly ScheduleWindow[], label: string, at: number, timeZone: string): ScheduleWindow[] | null {
  if (schedule.length === 0) return null;
  const clock = localClock(at, timeZone);
  return schedule.filter((w) => (!w.labels || w.labels.includes(label)) && windowOpen(w, clock));
}
