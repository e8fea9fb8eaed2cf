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

/** The text settings of a session's settings map (lower-case names, as SET stores them), defaults where unset. */
export function textSettingsOf(settings: ReadonlyMap<string, string>): TextSettings {
  return {
    timeZone: settings.get('timezone') ?? DEFAULT_TEXT_SETTINGS.timeZone,
    dateStyle: settings.get('datestyle') ?? DEFAULT_TEXT_SETTINGS.dateStyle,
    intervalStyle: settings.get('intervalstyle') ?? DEFAULT_TEXT_SETTINGS.intervalStyle,
  }
}

/** The settings' identity: a portal's cores print with those of its first Execute. */
export function textSettingsKey(settings: TextSettings): string {
  return `${settings.timeZone}|${settings.dateStyle}|${settings.intervalStyle}`
}

export function sameTextSettings(a: TextSettings, b: TextSettings | null): boolean {
  return b !== null && a.timeZone === b.timeZone && a.dateStyle === b.dateStyle && a.intervalStyle === b.intervalStyle
}
