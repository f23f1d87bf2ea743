import { useState } from 'react';
import { api } from '../api/endpoints.js';
import { getJson } from '../api/http.js';
import { reportsApi, type FootageCamera } from '../api/reports.api.js';
import type { ClipView, ReportMessage, ReportNoteVisibility, UserView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';
import { REPORT_TRANSITIONS } from '../../../server/domain/report.js';
import { ClipPlayer } from './ClipPlayer.js';
import { ErrorText } from './common.js';
import { reportStateName } from './ReportParts.js';

/** The police side of a report: state, assignment, notes (public or internal). */
export function ReportTriage({ report, onChanged }: { report: ReportMessage; onChanged(r: ReportMessage): void }) {
  const { t } = useI18n();
  const session = useSession();
  const officers = useAsync<UserView[]>(
    () => (session.can('user.list') ? api.users().then((us) => us.filter((u) => !u.disabled && u.roles.includes('police'))) : Promise.resolve([])),
    [],
  );
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<ReportNoteVisibility>('public');
  const change = useSubmit(async () => undefined);
  const note = useSubmit(async () => {
    onChanged(await reportsApi.note(report.id, body, visibility));
    setBody('');
  });
  const act = (p: Promise<ReportMessage>) =>
    void p.then(onChanged, (err: unknown) => {
      change.setError(err);
    });
  return (
    <section className="report-triage" aria-labelledby="triage-title">
      <h2 id="triage-title">{t('report.triage.title')}</h2>
      <div className="button-row">
        {REPORT_TRANSITIONS[report.state].map((s) => (
          <button key={s} type="button" data-testid={`report-to-${s}`} onClick={() => act(reportsApi.change(report.id, { state: s }))}>
            {reportStateName(t, s)}
          </button>
        ))}
      </div>
      <label htmlFor="report-assignee">{t('report.triage.assign')}</label>
      <select
        id="report-assignee"
        value={report.assigneeId ?? ''}
        onChange={(e) => act(reportsApi.change(report.id, { assigneeId: e.target.value ? Number(e.target.value) : null }))}
      >
        <option value="">{t('report.triage.nobody')}</option>
        {(officers.data ?? []).map((u) => (
          <option key={u.id} value={u.id}>
            {u.displayName}
          </option>
        ))}
      </select>
      <ErrorText error={change.error} />
      <form onSubmit={(e) => void note.submit(e)} className="report-note-form">
        <label htmlFor="report-note">{t('field.note')}</label>
        <textarea id="report-note" rows={2} required value={body} onChange={(e) => setBody(e.target.value)} />
        <fieldset>
          <legend>{t('report.triage.noteVisibility')}</legend>
          {(['public', 'internal'] as const).map((v) => (
            <label key={v} className="check">
              <input type="radio" name="note-visibility" checked={visibility === v} onChange={() => setVisibility(v)} />
              {v === 'public' ? t('report.triage.public') : t('report.triage.internal')}
            </label>
          ))}
        </fieldset>
        <ErrorText error={note.error} />
        <button type="submit" disabled={note.busy}>
          {t('report.triage.addNote')}
        </button>
      </form>
    </section>
  );
}

function FootageRow({ reportId, cam, onAttached }: { reportId: number; cam: FootageCamera; onAttached(c: ClipView): void }) {
  const { t } = useI18n();
  const [shown, setShown] = useState<ClipView | null>(null);
  const attach = useSubmit(async () => onAttached((await reportsApi.attach(reportId, cam.cameraId)).clip));
  return (
    <li data-camera={cam.cameraName}>
      <strong>{cam.cameraName}</strong>{' '}
      <span className="muted">
        {cam.recordedMs > 0 ? t('report.footage.recorded', { minutes: Math.round(cam.recordedMs / 60_000) }) : t('report.footage.notRecorded')}
      </span>
      <div className="button-row">
        {cam.clips.map((c) => (
          <button key={c.id} type="button" onClick={() => setShown(c)} data-testid="footage-play">
            {t('report.footage.play', { time: formatTime(c.startAt) })}
          </button>
        ))}
        <button type="button" disabled={attach.busy || cam.recordedMs === 0} onClick={() => void attach.submit()} data-testid="footage-attach">
          {attach.busy ? t('report.footage.attaching') : t('report.footage.attach')}
        </button>
      </div>
      <ErrorText error={attach.error} />
      {shown && <ClipPlayer clip={shown} canDownload />}
    </li>
  );
}

/** Nearby cameras' recordings 5 minutes either side: one click to play, one to attach as evidence. */
export function ReportFootage({ report, onAttached }: { report: ReportMessage; onAttached(): void }) {
  const { t } = useI18n();
  const footage = useAsync(() => reportsApi.footage(report.id), [report.id]);
  const evidence = useAsync(() => Promise.all(report.evidenceClipIds.map((id) => getJson<ClipView>(`/api/clips/${id}`))), [report.evidenceClipIds.join(',')]);
  return (
    <section aria-labelledby="footage-title">
      <h2 id="footage-title">{t('report.footage.title')}</h2>
      <ErrorText error={footage.error} />
      {footage.data?.cameras.length === 0 && <p className="muted">{t('report.footage.none')}</p>}
      <ul className="report-footage" data-testid="report-footage">
        {(footage.data?.cameras ?? []).map((c) => (
          <FootageRow key={c.cameraId} reportId={report.id} cam={c} onAttached={onAttached} />
        ))}
      </ul>
      {(evidence.data ?? []).length > 0 && (
        <>
          <h3>{t('report.evidence.title')}</h3>
          <ul data-testid="report-evidence">
            {evidence.data!.map((c) => (
              <li key={c.id}>
                <ClipPlayer clip={c} canDownload />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
