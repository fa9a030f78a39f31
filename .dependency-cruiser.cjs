// dependency-cruiser rules for the workspace: `pnpm check:deps` (depcruise src test bench connectors examples).
// Paths are relative to the repository root; `.js` specifiers resolve to the `.ts` sources.

/** @typedef {import('dependency-cruiser').IForbiddenRuleType} Rule */

// The floors of src/, lowest first. A file may import from its own floor and the floors below it,
// never from a floor above. Every other floor rule below is generated from this one array.
const floors = [
  { name: 'errors', path: '^src/errors\\.ts$', what: 'the error classes every floor throws' },
  { name: 'blocks', path: '^src/blocks/', what: 'Arrow blocks: build, slice, bundle, IPC' },
  { name: 'observe', path: '^src/observe/', what: 'events, stats and progress' },
  { name: 'tasks', path: '^src/tasks/', what: 'the worker runtime and its contract types' },
  { name: 'io', path: '^src/io/', what: 'reading and writing files (io/read, io/write, io/storage)' },
  { name: 'plan', path: '^src/plan/', what: 'logical and physical plans, optimizer rules' },
  { name: 'pools', path: '^src/pools/', what: 'task pools and actor pools' },
  { name: 'cluster', path: '^src/cluster/', what: 'partitions as BullMQ jobs on Redis: the driver side and the worker' },
  { name: 'exec', path: '^src/exec/', what: 'the streaming executor and its operators' },
  { name: 'worker', path: '^src/worker/', what: 'the cluster worker: partition jobs run on its task pool or its own executor' },
  { name: 'api', path: '^src/api/', what: 'Dataset and the user-facing API' },
  { name: 'text', path: '^src/text/', what: 'text splitting and chunking over the API' },
  { name: 'index', path: '^src/(index|cli)\\.ts$', what: 'the public entry and the command line' },
];
const anyOf = (paths) => `(${paths.join('|')})`;

const names = (list) => list.map((f) => f.name).join(', ');

/** @type {Rule[]} */
const floorRules = floors.slice(0, -1).map((floor, i) => ({
  name: `floor-${i}-${floor.name}-imports-upward`,
  comment:
    `${floor.path} is floor ${i} of src/ (${floor.what}): it may import only from floors 0..${i} ` +
    `(${names(floors.slice(0, i + 1))}), never from a floor above (${names(floors.slice(i + 1))}); ` +
    'a lower floor must not depend on what is built on top of it.',
  severity: 'error',
  from: { path: floor.path },
  to: { path: anyOf(floors.slice(i + 1).map((f) => f.path)) },
}));

// Tests and benches use the public entry. These files test an internal on purpose (or, for the connector
// benches, run a raw baseline with the connector's own helpers): each may import only the internals named
// in `may`, besides the public entry.
const internalTests = [
  {
    file: 'test/planner.test.ts',
    may: ['^src/plan/'],
    why: 'tests the planner directly: planJob, the logical and physical trees and explainPlan are not public',
  },
  {
    file: 'test/io-write-parquet.test.ts',
    may: ['^src/plan/planner\\.ts$', '^src/plan/logical\\.ts$'],
    why: 'checks that the write is fused into the worker map before it, which only the physical plan shows',
  },
  {
    file: 'test/memory-budget.test.ts',
    may: ['^src/exec/memory-budget\\.ts$'],
    why: 'pins the admission rule of the memory budget, which jobs use but do not expose',
  },
  { file: 'test/blocks-bytes.test.ts', may: ['^src/blocks/'], why: 'tests blocks directly: blockBytes of slices' },
  {
    file: 'test/blocks-fixed-size-list.test.ts',
    may: ['^src/blocks/'],
    why: 'tests blocks directly: FixedSizeList columns through blockFromColumns/rowsOfBlock/columnsOfBlock',
  },
  {
    file: 'test/reply-blocks.test.ts',
    may: ['^src/blocks/'],
    why: 'tests how actor results refer to their input columns (reply-blocks is not public) across a structured clone',
  },
  {
    file: 'test/packed-blocks.test.ts',
    may: ['^src/blocks/'],
    why: 'tests how blocks cross to other threads (packBlocks is not public) against a structured clone, as a message moves them',
  },
  {
    file: 'test/shared-replies.test.ts',
    may: ['^src/pools/shared-replies\\.ts$', '^src/blocks/packed-blocks\\.ts$'],
    why: 'tests when replies may come in shared memory (not public) against what V8 has collected',
  },
  {
    file: 'test/blocks-coalesce.test.ts',
    may: ['^src/blocks/'],
    why: 'tests coalesceBatches (not public: a read task joins its fragments with it) on every column type it copies, against the blocks it joined',
  },
  {
    file: 'test/blocks-schema.test.ts',
    may: ['^src/blocks/', '^src/errors\\.ts$'],
    why: 'tests blocks directly: schema inference and the SchemaError it throws',
  },
  {
    file: 'test/executor-on-abort.test.ts',
    may: ['^src/tasks/on-abort\\.ts$'],
    why: 'pins onAbort (not public: what per-task code waits on a job signal with) to one listener per signal, which no job shows',
  },
  {
    file: 'connectors/onnx/test/tensors.test.ts',
    may: ['^connectors/onnx/src/tensors\\.ts$'],
    why: 'checks withColumns (not exported) against what Arrow select and assign make of the same batch, column for column',
  },
  {
    file: 'connectors/onnx/test/execution-provider.test.ts',
    may: ['^connectors/onnx/src/execution-provider\\.ts$'],
    why: 'tests planExecutionProvider (CUDA or CPU per actor) without a GPU; it is not exported',
  },
  {
    file: 'connectors/onnx/test/token-counter.test.ts',
    may: ['^connectors/onnx/src/tokenizers/token-counter\\.ts$'],
    why: 'tests hfTokenCounter, the internal counter behind tokenCounter',
  },
  {
    file: 'connectors/pdf/test/page-text.test.ts',
    may: ['^connectors/pdf/src/page-text\\.ts$', '^connectors/pdf/src/pdfjs-options\\.ts$', '^connectors/pdf/src/samples/index\\.ts$'],
    why: 'tests the page-text assembly against raw pdfjs with the same document options',
  },
  {
    file: 'connectors/ocr/test/geometry.test.ts',
    may: ['^connectors/ocr/src/detect/(crop-line|min-area-rect|text-regions)\\.ts$'],
    why: 'pins the box geometry (OpenCV minAreaRect, the DB unclip offset, rotated crops) on shapes whose answers are known exactly',
  },
  {
    file: 'connectors/ocr/test/decoding.test.ts',
    may: ['^connectors/ocr/src/(reading-order|recognize/ctc-decode|recognize/word-spaces)\\.ts$'],
    why: 'pins CTC decoding, word-space recovery and reading order on tables whose answers are known exactly',
  },
  {
    file: 'connectors/pdf/test/pdfium-page-count.test.ts',
    may: ['^connectors/pdf/src/engines/pdfium-page-count\\.ts$', '^connectors/pdf/src/engines/pdfium-engine\\.ts$'],
    why: "pins how many bytes the main thread reads to count a large PDF's pages when it plans it, which no row shows",
  },
  {
    file: 'connectors/pdf/test/shared-documents.test.ts',
    may: ['^connectors/pdf/src/shared-documents\\.ts$', '^connectors/pdf/src/engines/pdf-engine\\.ts$'],
    why: "pins when a worker opens, shares and destroys the documents of a large file's parts, which no row shows",
  },
  {
    file: 'connectors/pdf/test/fixtures/pdf-files.ts',
    may: ['^connectors/pdf/src/samples/index\\.ts$'],
    why: 'writes test PDFs with writeTextPdf from the samples face (re-exported by src/index.ts)',
  },
  {
    file: 'connectors/video/test/tool-process.test.ts',
    may: ['^connectors/video/src/ffmpeg/(tool-process|spawn-tool|run-tool)\\.ts$'],
    why: 'tests the one module that owns ffmpeg/ffprobe processes (abort, idle watchdog, spawn failures, stderr tail), which is not exported',
  },
  {
    file: 'connectors/video/test/binaries.test.ts',
    may: ['^connectors/video/src/ffmpeg/ffmpeg-version\\.ts$'],
    why: 'pins parseFfmpegVersion on the version lines of releases and git builds, which resolveBinaries uses but does not export',
  },
  {
    file: 'connectors/onnx/bench/onnx-bench.ts',
    may: ['^connectors/onnx/dist/src/models/onnx-graph\\.(js|d\\.ts)$'],
    why: 'feeds the raw onnxruntime loops the same seededUniform input as the sluice run',
  },
  {
    file: 'connectors/milvus/test/import-half-floats.test.ts',
    may: ['^connectors/milvus/src/half-floats\\.ts$'],
    why: 'checks every Float16/BFloat16 rounding branch against an independent encoder; bulkImportMilvus uses them but does not export them',
  },
  {
    file: 'connectors/milvus/test/import-files.test.ts',
    may: ['^connectors/milvus/src/import/import-batch-udf\\.ts$', '^connectors/milvus/src/import/import-fields\\.ts$'],
    why: 'reads import files back with DuckDB for every field type without a Milvus: the encoder and its schema are internals of bulkImportMilvus',
  },
  {
    file: 'connectors/milvus/bench/milvus-bench.ts',
    may: [
      '^connectors/milvus/dist/src/import/import-batch-udf\\.(js|d\\.ts)$',
      '^connectors/milvus/dist/src/import/import-fields\\.(js|d\\.ts)$',
    ],
    why: "times the import-file encoder alone against the SDK's BulkWriter, without a Milvus to import into",
  },
  {
    file: 'connectors/pdf/bench/pdf-contenders.ts',
    may: [
      '^connectors/pdf/dist/src/page-text\\.(js|d\\.ts)$',
      '^connectors/pdf/dist/src/pdfjs-options\\.(js|d\\.ts)$',
      '^connectors/pdf/dist/src/engines/pdfium-engine\\.(js|d\\.ts)$',
    ],
    why: 'the raw loops of each engine use the same document options, page-text assembly and PDFium engine as readPdfs',
  },
  {
    file: 'connectors/pdf/bench/hand-written-pool.ts',
    may: ['^connectors/pdf/dist/src/engines/(pdf-engine|pdfium-engine|pdfjs-engine|pdfium-page-count|count-by-opening)\\.(js|d\\.ts)$'],
    why: 'the hand-written two-thread baseline counts, opens and reads pages with the same engines as readPdfs',
  },
];
const escape = (file) => `^${file.replace(/[.]/g, '\\.')}$`;
const internalTestFiles = internalTests.map((t) => escape(t.file));

const coreEntry = '^src/index\\.ts$';
// What `sluice` (or `@sluice/<connector>`) resolves to: the package's exports, built.
const builtEntry = '(^|/)dist/src/index\\.(js|d\\.ts)$';

/** @type {Rule[]} */
const internalTestRules = internalTests.map((t) => ({
  name: `internal-test-${t.file.replace(/[^a-z0-9]+/gi, '-').replace(/-ts$/, '')}`,
  comment: `${t.file} ${t.why}; it may import only those internals (${t.may.join(', ')}) and the public entry.`,
  severity: 'error',
  from: { path: escape(t.file) },
  to: {
    path: '^(src|connectors/[^/]+/(dist/)?src)/',
    pathNot: [coreEntry, '^connectors/[^/]+/src/index\\.ts$', builtEntry, ...t.may],
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // Cycles.
    {
      name: 'no-circular',
      comment:
        'No cycles, type-only imports included (tsPreCompilationDeps): a cycle ties its modules into one ' +
        'unit that cannot be loaded, tested or moved apart, and breaks the floors. One exception: ' +
        'Dataset.groupBy() returns a GroupedDataset whose aggregations return Datasets; the two builders ' +
        "name each other's types (grouped-dataset.ts imports Dataset as a type only; at run time the " +
        'import runs one way), and merging them would grow dataset.ts, which the design keeps small.',
      severity: 'error',
      from: { pathNot: '^src/api/grouped-dataset[.]ts$' },
      to: { circular: true, pathNot: '^src/api/grouped-dataset[.]ts$' },
    },
    // Broken paths.
    {
      name: 'not-to-unresolvable',
      comment:
        'A relative import that does not resolve to a file is a broken path. (Paths into a dist/ folder ' +
        'exist only after `tsc -b`; tsc checks those itself.)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.', pathNot: '(^|/)dist/' },
    },
    // The floors of src/.
    ...floorRules,
    {
      name: 'src-file-on-no-floor',
      comment:
        'Every module of src/ lives on one of the floors listed at the top of .dependency-cruiser.cjs; ' +
        'a new folder or top-level file must be added to that list, in its place.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: anyOf(floors.map((f) => f.path)) },
    },
    {
      name: 'src-imports-only-src',
      comment:
        'The core (src/) knows nothing of its tests, benches, examples, connectors or build output: ' +
        'they all depend on it, never the other way round.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|examples|connectors|dist)/' },
    },
    // The three faces of io.
    ...['read', 'write', 'storage'].map((side) => ({
      name: `io-${side}-through-its-face`,
      comment:
        `src/io/${side}/ has one face, src/io/${side}/index.ts: a file outside src/io/${side}/ may import ` +
        `only that file from it, so what lies behind the face can change freely.`,
      severity: 'error',
      from: { pathNot: `^src/io/${side}/` },
      to: { path: `^src/io/${side}/`, pathNot: `^src/io/${side}/index\\.ts$` },
    })),
    // Connectors and examples use the packages through their names.
    {
      name: 'connectors-use-the-core-through-sluice',
      comment:
        "Connectors use the core only through its public entry, the package name 'sluice' " +
        '(dist/src/index.js / .d.ts via the package exports), never a path into src/ or dist/src/: ' +
        'they are published and built against the public API.',
      severity: 'error',
      from: { path: '^connectors/[^/]+/(src|bench|test|scripts)/' },
      to: { path: '^(src|dist/src)/', pathNot: builtEntry },
    },
    {
      name: 'examples-use-packages-through-their-names',
      comment:
        "Examples show how users write pipelines: they import 'sluice' and '@sluice/<connector>' " +
        "(each package's dist/src/index), never a path into a package's src/ or dist/src/.",
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(src|dist/src|connectors/[^/]+/(src|dist/src))/', pathNot: builtEntry },
    },
    {
      name: 'connectors-stay-out-of-each-other',
      comment: "A connector uses another connector only through that connector's package name (its dist/src/index).",
      severity: 'error',
      from: { path: '^connectors/([^/]+)/' },
      to: { path: '^connectors/', pathNot: ['^connectors/$1/', builtEntry] },
    },
    // Tests and benches use the public entries.
    {
      name: 'tests-use-the-public-entry',
      comment:
        'Tests exercise the core as users do, through src/index.ts; a test of an internal on purpose ' +
        'is listed in internalTests in .dependency-cruiser.cjs, with its reason and the internals it may import.',
      severity: 'error',
      from: { path: '^test/', pathNot: internalTestFiles },
      to: { path: '^src/', pathNot: coreEntry },
    },
    {
      name: 'bench-uses-the-public-entry',
      comment: 'Benchmarks measure the core as users run it, through src/index.ts.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^src/', pathNot: coreEntry },
    },
    {
      name: 'connector-tests-use-their-entry',
      comment:
        "A connector's tests, benches and scripts use the connector through its entry (src/index.ts, or " +
        'dist/src/index.js from bench/); a test of an internal on purpose is listed in internalTests in ' +
        '.dependency-cruiser.cjs, with its reason and the internals it may import.',
      severity: 'error',
      from: { path: '^connectors/([^/]+)/(test|bench|scripts)/', pathNot: internalTestFiles },
      to: { path: '^connectors/$1/(dist/)?src/', pathNot: ['^connectors/$1/src/index\\.ts$', builtEntry] },
    },
    ...internalTestRules,
  ],
  options: {
    // Sources only: build output and installed packages are not cruised (dependencies on them still
    // show, as leaves, so the rules above see an import of dist/src/... or of a package).
    doNotFollow: { path: '(^|/)(node_modules|dist)/' },
    // `import type` and type-only re-exports count as dependencies (for no-circular and the floors).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.core.json' },
    // NodeNext: `./job.js` in a .ts file means ./job.ts. dependency-cruiser retries a `.js` specifier
    // that does not exist as `.ts` itself (its options have no extensionAlias).
    enhancedResolveOptions: {
      extensions: ['.ts', '.mts', '.js', '.mjs', '.d.ts', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
