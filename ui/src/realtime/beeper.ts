/**
 * The alert sound: a short two-tone beep made with WebAudio (no audio file to load, works
 * offline). Browsers keep audio locked until the user touches the page, so the context is
 * created on the first gesture. At most one beep per `minGapMs`: a burst of alerts is one sound.
 */
const STORAGE_KEY = 'binhyen.muted';

export class Beeper {
  private ctx: AudioContext | null = null;
  private last = 0;
  muted: boolean;

  constructor(private readonly minGapMs = 2_000) {
    this.muted = readMuted();
  }

  /** Call from a user gesture (click, key): creates or resumes the audio context. */
  unlock(): void {
    if (!this.ctx) {
      const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctor) return;
      this.ctx = new Ctor();
    }
    if (this.ctx.state === 'suspended') void this.ctx.resume().catch((err: unknown) => console.warn('audio resume refused', err));
  }

  setMuted(m: boolean): void {
    this.muted = m;
    try {
      localStorage.setItem(STORAGE_KEY, m ? '1' : '0');
    } catch (err) {
      console.warn('mute choice not stored', err);
    }
  }

  /** Audio may play: the context runs (the page had a user gesture). */
  get ready(): boolean {
    return this.ctx?.state === 'running';
  }

  /** Sounds played since the page opened (shown on the wall for a quick "did it beep?" check). */
  played = 0;

  /**
   * True when a sound was started. Tries to start audio first: after the sign-in click the page
   * already has the user activation browsers ask for, so the wall can sound without a tap.
   */
  beep(now = Date.now()): boolean {
    if (!this.muted) this.unlock();
    if (this.muted || !this.ctx || this.ctx.state !== 'running' || now - this.last < this.minGapMs) return false;
    this.played += 1;
    this.last = now;
    const t0 = this.ctx.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = this.ctx.createOscillator();
      const gain = this.ctx.createGain();
      osc.frequency.value = freq;
      osc.type = 'square';
      const start = t0 + i * 0.18;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      osc.connect(gain).connect(this.ctx.destination);
      osc.start(start);
      osc.stop(start + 0.17);
    }
    return true;
  }

  close(): void {
    void this.ctx?.close().catch((err: unknown) => console.warn('audio close failed', err));
    this.ctx = null;
  }
}

function readMuted(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false; // storage blocked: sound on, the safe default for a police wall
  }
}
