import { useEffect, type ReactNode } from 'react';
import { ErrorText, Spinner } from './components/common.js';
import { LanguageSwitch } from './components/LanguageSwitch.js';
import { I18nProvider, useI18n } from './i18n/I18nProvider.js';
import type { MessageKey } from './i18n/i18n.js';
import { AuditPage } from './pages/AuditPage.js';
import { AreasPage } from './pages/AreasPage.js';
import { CameraPage } from './pages/CameraPage.js';
import { CamerasPage } from './pages/CamerasPage.js';
import { DiscoverPage } from './pages/DiscoverPage.js';
import { EventPage } from './pages/EventPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { NotifyAdminPage } from './pages/NotifyAdminPage.js';
import { NotifyRulesPage } from './pages/NotifyRulesPage.js';
import { ReviewPage } from './pages/ReviewPage.js';
import { ReportFormPage } from './pages/ReportFormPage.js';
import { EvaluationPage } from './pages/EvaluationPage.js';
import { CommendationsPage } from './pages/CommendationsPage.js';
import { AnnouncementsPage } from './pages/AnnouncementsPage.js';
import { UnreadBadge } from './components/UnreadBadge.js';
import { ReportPage } from './pages/ReportPage.js';
import { GroupsPage } from './pages/GroupsPage.js';
import { PublicReportPage } from './pages/PublicReportPage.js';
import { ReportLinksPage } from './pages/ReportLinksPage.js';
import { MultiRecordingsPage } from './pages/MultiRecordingsPage.js';
import { ReportsPage } from './pages/ReportsPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { SetupPage } from './pages/SetupPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { RecordingsPage } from './pages/RecordingsPage.js';
import { WallPage } from './pages/WallPage.js';
import { Link, match, navigate, useLocation } from './router.js';
import { SessionProvider, useSession, type Session } from './session.js';
import type { Action } from '../../server/api/api.types.js';

interface Route {
  path: string;
  action: Action;
  nav?: MessageKey;
  render(params: Record<string, string>): ReactNode;
}

/** Each page with the action it needs: the nav shows only what the user may open. */
const ROUTES: Route[] = [
  { path: '/wall', action: 'alert.update', nav: 'nav.wall', render: () => <WallPage /> },
  { path: '/events', action: 'event.list', nav: 'nav.review', render: () => <ReviewPage /> },
  { path: '/events/:id', action: 'event.read', render: (p) => <EventPage id={Number(p.id)} /> },
  { path: '/announcements', action: 'announcement.list', nav: 'nav.announcements', render: () => <AnnouncementsPage /> },
  { path: '/reports', action: 'report.list', nav: 'nav.reports', render: () => <ReportsPage /> },
  { path: '/reports/new', action: 'report.create', nav: 'nav.newReport', render: () => <ReportFormPage /> },
  { path: '/reports/evaluation', action: 'report.evaluation', nav: 'nav.evaluation', render: () => <EvaluationPage /> },
  { path: '/reports/commendations', action: 'report.evaluation', render: () => <CommendationsPage /> },
  { path: '/reports/links', action: 'reportlink.manage', nav: 'nav.reportLinks', render: () => <ReportLinksPage /> },
  { path: '/groups', action: 'group.list', nav: 'nav.groups', render: () => <GroupsPage /> },
  { path: '/reports/:id', action: 'report.read', render: (p) => <ReportPage id={Number(p.id)} /> },
  { path: '/cameras', action: 'camera.list', nav: 'nav.cameras', render: () => <CamerasPage /> },
  { path: '/cameras/add', action: 'camera.create', render: () => <DiscoverPage /> },
  { path: '/recordings', action: 'camera.live', render: () => <MultiRecordingsPage /> },
  { path: '/recordings/:id', action: 'camera.live', render: (p) => <RecordingsPage id={Number(p.id)} /> },
  { path: '/cameras/:id', action: 'camera.read', render: (p) => <CameraPage id={Number(p.id)} /> },
  { path: '/admin/users', action: 'user.list', nav: 'nav.users', render: () => <UsersPage /> },
  { path: '/admin/areas', action: 'area.create', nav: 'nav.areas', render: () => <AreasPage /> },
  { path: '/admin/audit', action: 'audit.list', nav: 'nav.audit', render: () => <AuditPage /> },
  { path: '/admin/settings', action: 'settings.update', nav: 'nav.settings', render: () => <SettingsPage /> },
  { path: '/admin/notifications', action: 'notify.admin', nav: 'nav.notifyAdmin', render: () => <NotifyAdminPage /> },
  { path: '/notifications', action: 'notify.rules', nav: 'nav.notifyRules', render: () => <NotifyRulesPage /> },
];

/** Where a user lands: police on the wall, technicians on cameras, residents on review. */
function home(s: Session): string {
  const first = ROUTES.find((r) => r.nav && s.can(r.action));
  return first?.path ?? '/events';
}

function Shell() {
  const session = useSession();
  const { t } = useI18n();
  const { path } = useLocation();

  useEffect(() => {
    document.title = t('app.name');
  }, [t]);

  // The anonymous report link: no account, nothing else of the app.
  const publicLink = match('/r/:token', path);
  if (publicLink) return <PublicReportPage token={publicLink.token!} />;
  if (session.loading)
    return (
      <main className="auth-page">
        <Spinner label={t('common.loading')} />
      </main>
    );
  if (session.failed && !session.info) {
    return (
      <main className="auth-page">
        <div className="auth-card">
          <ErrorText error={session.failed} />
          <button type="button" onClick={() => void session.refresh()}>
            {t('common.retry')}
          </button>
        </div>
      </main>
    );
  }
  if (session.info?.setupRequired) return <SetupPage />;
  if (!session.user) return <LoginPage />;

  const found = ROUTES.map((r) => ({ r, params: match(r.path, path) })).find((x) => x.params);
  if (!found || !session.can(found.r.action)) {
    if (path === '/' || path === '/login' || path === '/setup' || !found) {
      queueMicrotask(() => navigate(home(session), true));
      return null;
    }
  }
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <Link to={home(session)} className="brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.label')}>
          {ROUTES.filter((r) => r.nav && session.can(r.action)).map((r) => (
            <Link key={r.path} to={r.path} aria-current={path === r.path || path.startsWith(`${r.path}/`) ? 'page' : undefined}>
              {t(r.nav!)}
              {r.path === '/announcements' && <UnreadBadge />}
            </Link>
          ))}
        </nav>
        <div className="topbar-user">
          <span className="muted" data-testid="signed-in-as">
            {session.user.displayName}
          </span>
          <LanguageSwitch />
          <button type="button" onClick={() => void session.signOut()}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {found && session.can(found.r.action) ? (
          found.r.render(found.params!)
        ) : (
          <p role="alert" className="error">
            {t('error.forbidden')}
          </p>
        )}
      </main>
    </div>
  );
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </I18nProvider>
  );
}
