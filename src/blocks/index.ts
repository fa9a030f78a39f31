export { blockBytes, blockFromRows, emptyBlock, type Block, type Row } from './block.js';
export { blockToBatch, batchResultToBlock, BATCH_FORMATS, type BatchFormat } from './batch-format.js';
export { blockFromColumns, columnsOfBlock, type Columns, type TypedArray } from './columns.js';
export { concatBlocks, unifySchemas, conformBlock } from './concat.js';
export { blockFromIpc, blockToIpc } from './ipc.js';
export { rowsOfBlock, columnValues } from './read-values.js';
export { sliceIntoBatches } from './slice.js';
