// sql/parse/adapt-table: CREATE TABLE (CreateStmt) → SqlCreateTable, plus what ALTER TABLE and INSERT share with it:
// table names (unqualified or public.) and storage-parameter values (WITH (ttl = '30 days')).
import { syntaxError } from '../../src/common/errors.js'
import type { SqlColumnDef, SqlCreateTable, SqlExpr } from './ast.js'
import { adaptExpr } from './adapt-expr.js'
import { type AdaptContext, type Node, list, loc, nodeField, num, str, stringList, unsupported, unwrap, wrapped } from './adapt-node.js'
import { adaptTypeName } from './adapt-type.js'

/** A table name as INSERT, CREATE and ALTER take it: nodedb has one schema, public, so only that qualifier is allowed. */
export function tableName(ctx: AdaptContext, relation: Node): { readonly name: string; readonly pos: number } {
  const pos = loc(ctx, relation, ctx.statementPos)
  if (str(relation, 'catalogname') !== '') return unsupported('a cross-database reference', pos)
  const schema = str(relation, 'schemaname')
  if (schema !== '' && schema !== 'public') return unsupported(`tables in schema "${schema}"`, pos)
  return { name: str(relation, 'relname'), pos }
}

/**
 * A DefElem's value as text: quotes removed; 'true' when no value is written (as PostgreSQL reads `WITH (flag)`);
 * null for an unquoted NULL (the grammar hands it over as the string 'null', so the source text decides).
 */
export function definitionValue(ctx: AdaptContext, def: Node): string | null {
  const pos = loc(ctx, def, ctx.statementPos)
  if (def.arg === undefined) return 'true'
  const found = unwrap(def.arg)
  switch (found?.type) {
    case 'String': {
      const value = str(found.node, 'sval')
      const isUnquotedNull = value === 'null' && /^(?:"(?:[^"]|"")*"|[^\s=]+)\s*=\s*null\b/i.test(ctx.text.slice(pos))
      return isUnquotedNull ? null : value
    }
    case 'Integer': return String(num(found.node, 'ival'))
    case 'Float': return str(found.node, 'fval')
    case 'Boolean': return found.node.boolval === true ? 'true' : 'false'
    case 'TypeName': {
      const names = stringList(list(found.node, 'names'))
      if (names !== null && names.length === 1 && list(found.node, 'typmods').length === 0) return names[0] ?? ''
      return unsupported('this option value', pos)
    }
    default: return unsupported('this option value', pos)
  }
}

const CONSTRAINT_NAMES: Readonly<Record<string, string>> = {
  CONSTR_CHECK: 'a CHECK constraint', CONSTR_PRIMARY: 'PRIMARY KEY', CONSTR_UNIQUE: 'UNIQUE',
  CONSTR_FOREIGN: 'FOREIGN KEY', CONSTR_EXCLUSION: 'an EXCLUDE constraint', CONSTR_IDENTITY: 'an identity column',
  CONSTR_GENERATED: 'a generated column',
}

function constraintName(contype: string): string {
  return CONSTRAINT_NAMES[contype] ?? `constraint ${contype.replace('CONSTR_', '').replace(/_/g, ' ')}`
}

/** PostgreSQL's serial pseudo-types: a sequence and a nextval() default, which nodedb does not have. */
const SERIAL_TYPES: ReadonlySet<string> = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8'])

/** A column definition as CREATE TABLE and ALTER TABLE … ADD COLUMN write it (`table` names it in errors). */
export function columnDef(ctx: AdaptContext, node: Node, table: string): SqlColumnDef {
  const pos = loc(ctx, node, ctx.statementPos)
  const typeName = nodeField(node, 'typeName')
  if (typeName === null) return unsupported('a column without a type', pos)
  if (nodeField(node, 'collClause') !== null) return unsupported('COLLATE on a column', pos)
  if (str(node, 'compression') !== '' || str(node, 'storage_name') !== '') return unsupported('column STORAGE/COMPRESSION', pos)
  let notNull = false
  let defaultExpr: SqlExpr | undefined
  const name = str(node, 'colname')
  for (const value of list(node, 'constraints')) {
    const constraint = wrapped(value, 'Constraint') ?? {}
    const contype = str(constraint, 'contype')
    if (contype === 'CONSTR_NOTNULL') notNull = true
    else if (contype === 'CONSTR_DEFAULT') {
      if (defaultExpr !== undefined) throw syntaxError(`multiple default values specified for column "${name}" of table "${table}"`, loc(ctx, constraint, pos) + 1)
      defaultExpr = adaptExpr(ctx, constraint.raw_expr)
    } else if (contype !== 'CONSTR_NULL') return unsupported(constraintName(contype), loc(ctx, constraint, pos))
  }
  const type = adaptTypeName(ctx, typeName, pos)
  if (SERIAL_TYPES.has(type.name) && !type.isArray) return unsupported(`${type.name} columns (nodedb has no sequences)`, loc(ctx, typeName, pos))
  return { name, type, notNull, pos, ...(defaultExpr === undefined ? {} : { default: defaultExpr }) }
}

const PERSISTENCE_NAMES: Readonly<Record<string, string>> = { t: 'CREATE TEMPORARY TABLE', u: 'CREATE UNLOGGED TABLE' }

/** The CREATE TABLE clauses nodedb has no use for, refused by name. */
function refuseClauses(node: Node, pos: number): void {
  const persistence = PERSISTENCE_NAMES[str(nodeField(node, 'relation') ?? {}, 'relpersistence')]
  if (persistence !== undefined) unsupported(persistence, pos)
  if (list(node, 'inhRelations').length > 0) unsupported('INHERITS', pos)
  if (nodeField(node, 'partspec') !== null || nodeField(node, 'partbound') !== null) unsupported('PARTITION BY (nodedb partitions by WITH (partition_by = …))', pos)
  if (nodeField(node, 'ofTypename') !== null) unsupported('CREATE TABLE OF', pos)
  if (str(node, 'accessMethod') !== '') unsupported('USING (table access methods)', pos)
  if (str(node, 'tablespacename') !== '') unsupported('TABLESPACE', pos)
  const onCommit = str(node, 'oncommit')
  if (onCommit !== '' && onCommit !== 'ONCOMMIT_NOOP') unsupported('ON COMMIT', pos)
}

export function adaptCreateTable(ctx: AdaptContext, node: Node): SqlCreateTable {
  const { name, pos } = tableName(ctx, nodeField(node, 'relation') ?? {})
  refuseClauses(node, pos)
  const columns = list(node, 'tableElts').map((value) => {
    const element = unwrap(value)
    if (element?.type === 'ColumnDef') return columnDef(ctx, element.node, name)
    const elementPos = element === null ? pos : loc(ctx, element.node, pos)
    if (element?.type === 'Constraint') return unsupported(constraintName(str(element.node, 'contype')), elementPos)
    return unsupported(element?.type === 'TableLikeClause' ? 'LIKE in CREATE TABLE' : 'this table element', elementPos)
  })
  const options = list(node, 'options').map((value) => {
    const def = wrapped(value, 'DefElem') ?? {}
    if (str(def, 'defnamespace') !== '') return unsupported('a qualified storage parameter', loc(ctx, def, pos))
    return { name: str(def, 'defname'), value: definitionValue(ctx, def) }
  })
  return { kind: 'SqlCreateTable', name, ifNotExists: node.if_not_exists === true, columns, options }
}
