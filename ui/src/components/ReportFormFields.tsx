import type { ReportCategory } from '../../../server/domain/report.js';
import { REPORT_CATEGORIES } from '../../../server/domain/report.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { DateField, TimeField } from './DateTimeInputs.js';
import { categoryName } from './ReportParts.js';

/** What both report forms ask (the resident's and the anonymous link's): the rest of each form is its own. */
export interface ReportFieldsDraft {
  category: ReportCategory;
  body: string;
  place: string;
  date: string;
  time: string;
}

/**
 * Category, text, place, when and up to `maxPhotos` photos: the fields a report has wherever it
 * is filed from, with the same ids, so the same labels and tests serve both forms.
 */
export function ReportFormFields<D extends ReportFieldsDraft>(p: {
  draft: D;
  set: <K extends keyof ReportFieldsDraft>(k: K, v: D[K]) => void;
  photos: File[];
  setPhotos: (update: (prev: File[]) => File[]) => void;
  maxPhotos: number;
}) {
  const { t } = useI18n();
  const { draft, set, photos, setPhotos, maxPhotos } = p;
  return (
    <>
      <label htmlFor="report-category">{t('report.form.category')}</label>
      <select id="report-category" value={draft.category} onChange={(e) => set('category', e.target.value as ReportCategory)}>
        {REPORT_CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {categoryName(t, c)}
          </option>
        ))}
      </select>
      <label htmlFor="report-body">{t('field.body')}</label>
      <textarea
        id="report-body"
        rows={4}
        required
        minLength={3}
        maxLength={4000}
        placeholder={t('report.form.bodyHint')}
        value={draft.body}
        onChange={(e) => set('body', e.target.value)}
      />
      <label htmlFor="report-place">{t('report.form.place')}</label>
      <input id="report-place" maxLength={500} placeholder={t('report.form.placeHint')} value={draft.place} onChange={(e) => set('place', e.target.value)} />
      <fieldset className="report-when">
        <legend>{t('report.form.when')}</legend>
        <DateField id="report-date" value={draft.date} onChange={(v) => set('date', v)} aria-label={t('field.date')} required />
        <TimeField id="report-time" value={draft.time} onChange={(v) => set('time', v)} aria-label={t('report.form.when')} required />
      </fieldset>
      <label htmlFor="report-photos">{t('report.form.photos')}</label>
      <input
        id="report-photos"
        type="file"
        accept="image/jpeg,image/png"
        multiple
        disabled={photos.length >= maxPhotos}
        onChange={(e) => {
          // Read the files before clearing the input (the updater runs later).
          const picked = Array.from(e.target.files ?? []);
          setPhotos((prev) => [...prev, ...picked].slice(0, maxPhotos));
          e.target.value = '';
        }}
      />
      <ul className="report-photo-list">
        {photos.map((f, i) => (
          <li key={`${f.name}-${i}`}>
            <span>{f.name}</span>
            <button type="button" onClick={() => setPhotos((prev) => prev.filter((_, j) => j !== i))}>
              {t('report.form.removePhoto', { n: i + 1 })}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
