import { describe, expect, it } from 'vitest';
import { isoToDmy, parseDmy, parseHm } from '../../../ui/src/components/DateTimeInputs.js';

describe('dd/mm/yyyy and 24-hour fields', () => {
  it('reads real dates written day first, and refuses impossible ones', () => {
    expect(parseDmy('02/01/2025')).toBe('2025-01-02');
    expect(parseDmy(' 2/1/2025 ')).toBe('2025-01-02');
    expect(parseDmy('29/02/2024')).toBe('2024-02-29');
    expect(parseDmy('29/02/2025')).toBeNull();
    expect(parseDmy('13/13/2025')).toBeNull();
    expect(parseDmy('2025-01-02')).toBeNull();
    expect(isoToDmy('2025-01-02')).toBe('02/01/2025');
  });

  it('reads 24-hour times only', () => {
    expect(parseHm('22:05')).toBe('22:05');
    expect(parseHm('7:30')).toBe('07:30');
    expect(parseHm('24:00')).toBeNull();
    expect(parseHm('10:00 PM')).toBeNull();
    expect(parseHm('22:05:07')).toBeNull(); // schedules are HH:MM
    expect(parseHm('22:05:07', true)).toBe('22:05:07'); // evidence ranges take seconds
  });
});
