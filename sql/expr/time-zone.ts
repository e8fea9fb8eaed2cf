// sql/expr/time-zone: moved to src/common/time-zone.ts (the cores print timestamptz in the session zone too);
// re-exported for sql's callers.
export * from '../../src/common/time-zone.js'
