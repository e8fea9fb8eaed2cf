// wire/ilp/line-batch: the columnar output of the ILP parser, one LineBatch per measurement. The one definition is
// sql/api.ts's IngestBatch (what sql.ingest takes); these are its names on the wire side. No sockets, SQL or storage.
export type {
  IngestBatch as LineBatch,
  IngestBooleanColumn as LineBooleanColumn,
  IngestColumn as LineColumn,
  IngestColumnKind as LineColumnKind,
  IngestFloatColumn as LineFloatColumn,
  IngestIntegerColumn as LineIntegerColumn,
  IngestStringColumn as LineStringColumn,
  IngestTagColumn as LineTagColumn,
  IngestUnsignedColumn as LineUnsignedColumn,
} from '../../sql/api.js'
