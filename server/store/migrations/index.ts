import * as initial from './20261129_001_initial.js';
import * as events from './20261130_010_events.js';
import * as clipRanges from './20261206_020_clip_ranges.js';
import * as settings from './20261207_030_settings.js';
import * as auditKeyed from './20261210_040_audit_keyed.js';
import * as systemAlerts from './20261211_050_system_alerts.js';
import * as reports from './20261212_060_reports.js';
import * as announcements from './20261212_061_announcements.js';
import * as commendOptOut from './20261212_062_commendation_opt_out.js';
import * as notifyOutbox from './20261213_070_notify_outbox.js';
import * as pushSubscriptions from './20261213_071_push_subscriptions.js';
import * as cameraEndpoint from './20261212_090_camera_endpoint.js';
import * as cluster from './20261214_100_cluster.js';
import * as groupsLinks from './20261214_120_groups_links.js';
import * as userPreferences from './20261214_130_user_preferences.js';
import * as clusterKeys from './20261214_150_cluster_keys.js';

/**
 * Every migration in order. A migration that alters an existing SQLite table makes knex
 * rebuild it; with foreign keys on that can cascade deletes into child rows (knex #6213),
 * so such a migration must wrap its work in `withForeignKeysOff` from ./migration.util.js.
 */
export const migrations = [
  initial,
  events,
  clipRanges,
  settings,
  auditKeyed,
  systemAlerts,
  reports,
  announcements,
  commendOptOut,
  notifyOutbox,
  pushSubscriptions,
  cameraEndpoint,
  cluster,
  groupsLinks,
  userPreferences,
  clusterKeys,
];
