/** Alert vocabulary: states, kinds and severities, shared by store, events, config and the UI. */
export const ALERT_STATES = ['new', 'acknowledged', 'assigned', 'resolved', 'false_alarm'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** disk_low is a system alert: about the server, not one camera (its cameraId is null). */
export const ALERT_KINDS = ['object', 'camera_offline', 'disk_low'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const CLOSED_ALERT_STATES: readonly AlertState[] = ['resolved', 'false_alarm'];
