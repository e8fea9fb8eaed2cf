// src/common/ids: branded ids shared by every layer, so a TableId cannot be passed where a VShardId is expected.
import { assert } from './assert.js'
import { VSHARD_COUNT } from './limits.js'

export type Lsn = number & { readonly __brand: 'Lsn' }
export type TableId = number & { readonly __brand: 'TableId' }
export type VShardId = number & { readonly __brand: 'VShardId' }
export type CoreId = number & { readonly __brand: 'CoreId' }

export function asLsn(value: number): Lsn {
  assert(Number.isSafeInteger(value) && value >= 0, `lsn out of range: ${value}`)
  return value as Lsn
}

export function asTableId(value: number): TableId {
  assert(Number.isSafeInteger(value) && value > 0, `table id out of range: ${value}`)
  return value as TableId
}

export function asVShardId(value: number): VShardId {
  assert(Number.isInteger(value) && value >= 0 && value < VSHARD_COUNT, `vshard out of range: ${value}`)
  return value as VShardId
}

export function asCoreId(value: number): CoreId {
  assert(Number.isInteger(value) && value >= 0, `core id out of range: ${value}`)
  return value as CoreId
}
