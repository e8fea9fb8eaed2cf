// src/common/text-settings: the session settings date/time text output depends on (TimeZone, DateStyle,
// IntervalStyle), as one value handed from wire to the encoders and, with a streamed scan, to the cores.

/** The session settings the text forms depend on, as SHOW prints them. */
export interface TextSettings {
  /** The TimeZone timestamptz text is printed in. */
  readonly timeZone: string
  /** DateStyle: 'ISO, MDY', 'SQL, DMY', 'German, DMY', 'Postgres, MDY', … */
  readonly dateStyle: string
  /** IntervalStyle: postgres, postgres_verbose, sql_standard or iso_8601. */
  readonly intervalStyle: string
}

/** PostgreSQL's defaults. */
export const DEFAULT_TEXT_SETTINGS: TextSettings = { timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres' }

/** The settings' identity: a portal's cores print with those of its first Execute. */
export function textSettingsKey(settings: TextSettings): string {
  return `${settings.timeZone}|${settings.dateStyle}|${settings.intervalStyle}`
}

export function sameTextSettings(a: TextSettings, b: TextSettings | null): boolean {
  return b !== null && a.timeZone === b.timeZone && a.dateStyle === b.dateStyle && a.intervalStyle === b.intervalStyle
}
