// sql/expr/calendar: moved to src/common/calendar.ts (the cores print timestamps too); re-exported for sql's callers.
export * from '../../src/common/calendar.js'
