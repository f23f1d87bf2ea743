import { useCallback, useState } from 'react';
import { getJson } from '../api/http.js';
import { useAsync } from '../api/useAsync.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useAnnouncementLive } from '../realtime/useReportLive.js';
import { useLocation } from '../router.js';

/** The unread announcements next to the nav link; new ones count up live, opening the feed clears it. */
export function UnreadBadge() {
  const { t } = useI18n();
  const { path } = useLocation();
  const onFeed = path === '/announcements';
  const count = useAsync(() => getJson<{ unread: number }>('/api/announcements?limit=1').then((r) => r.unread), [onFeed]);
  const [more, setMore] = useState(0);
  useAnnouncementLive(useCallback(() => setMore((n) => n + 1), []));
  const n = onFeed ? 0 : (count.data ?? 0) + more;
  if (n === 0) return null;
  return (
    <span className="badge report-new" data-testid="unread-badge" aria-label={t('ann.unread', { n })}>
      {n}
    </span>
  );
}
