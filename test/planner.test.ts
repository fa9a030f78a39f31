import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError, fromItems, range, type Dataset } from '../src/index.js';
import { explainPlan } from '../src/plan/explain.js';
import { childrenOf, type LogicalNode } from '../src/plan/logical.js';
import { physicalOps, type PhysicalOp } from '../src/plan/physical.js';
import { planJob } from '../src/plan/planner.js';
import { doubleUdf, incrementUdf } from './fixtures/planner-udfs.js';
import { countCalls } from './fixtures/count-calls.js';

/** The physical operators of a dataset's plan, sources first, as `name` strings. */
function physicalNames(ds: Dataset<object>): string[] {
  return physicalOps(planJob(ds.plan).physical).map((op) => op.name);
}

/** The optimized logical plan, root first, each node as `kind:name`. */
function optimizedChain(ds: Dataset<object>): string[] {
  const out: string[] = [];
  const visit = (node: LogicalNode) => {
    out.push(`${node.kind}:${node.name}`);
    childrenOf(node).forEach(visit);
  };
  visit(planJob(ds.plan).optimized);
  return out;
}

function mapOp(op: PhysicalOp): Extract<PhysicalOp, { kind: 'Map' }> {
  assert.equal(op.kind, 'Map');
  return op;
}

// ---- operator fusion ---------------------------------------------------------------------

test('adjacent main-thread maps fuse into one physical operator', async () => {
  const ds = range(10)
    .map(function a(r) {
      return { id: r.id, y: r.id + 1 };
    })
    .map(function b(r) {
      return { id: r.id, y: r.y * 10 };
    });
  const plan = planJob(ds.plan);
  const root = mapOp(plan.physical);
  assert.equal(root.name, 'Map(a)->Map(b)');
  assert.deepEqual(
    root.transforms.map((t) => t.name),
    ['Map(a)', 'Map(b)'],
  );
  assert.equal(root.compute.kind, 'main');
  assert.equal(root.input.kind, 'Source');
  assert.deepEqual(physicalNames(ds), ['Range(10)', 'Map(a)->Map(b)']);
  // The logical plan keeps both maps; fusion is a physical matter.
  assert.deepEqual(optimizedChain(ds), ['Map:Map(b)', 'Map:Map(a)', 'Source:Range(10)']);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => r.y),
    [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
  );
});

test('a chain of map, filter, flatMap, mapBatches and addColumn on the main thread is one operator', () => {
  const ds = range(10)
    .map(function a(r) {
      return r;
    })
    .filter(function f(r) {
      return r.id > 2;
    })
    .flatMap(function fm(r) {
      return [r, r];
    })
    .mapBatches(function mb(batch) {
      return batch;
    })
    .addColumn('z', () => 1);
  assert.deepEqual(physicalNames(ds), ['Range(10)', 'Map(a)->Filter(f)->FlatMap(fm)->MapBatches(mb)->AddColumn(z)']);
});

test('a udf map followed by a plain-function map does not fuse (different compute)', () => {
  const ds = range(20)
    .map(doubleUdf)
    .map(function plain(r) {
      return { ...r, z: r.x - r.id };
    });
  const root = mapOp(planJob(ds.plan).physical);
  assert.equal(root.name, 'Map(plain)');
  assert.equal(root.compute.kind, 'main');
  const below = mapOp(root.input);
  assert.equal(below.name, 'Map(double)');
  assert.equal(below.compute.kind, 'tasks');
  assert.deepEqual(physicalNames(ds), ['Range(20)', 'Map(double)', 'Map(plain)']);
  // And the reverse order.
  const reverse = range(5)
    .map(function plain(r) {
      return r;
    })
    .map(doubleUdf);
  assert.deepEqual(physicalNames(reverse), ['Range(5)', 'Map(plain)', 'Map(double)']);
});

test('two udf maps with the same numCpus fuse, and run as one task-pool operator', async () => {
  const ds = range(200).map(doubleUdf).map(incrementUdf);
  const root = mapOp(planJob(ds.plan).physical);
  assert.equal(root.name, 'Map(double)->Map(increment)');
  assert.deepEqual(root.compute, { kind: 'tasks', numCpus: 1, concurrency: undefined });
  assert.deepEqual(physicalNames(range(5).map(doubleUdf, { numCpus: 0.5 }).map(incrementUdf, { numCpus: 0.5 })), [
    'Range(5)',
    'Map(double)->Map(increment)',
  ]);

  const rows = await ds.takeAll({ preserveOrder: true, cpus: 2 });
  assert.equal(rows.length, 200);
  assert.deepEqual(rows[50], { id: 50, x: 101 });
  const stats = await ds.stats();
  assert.deepEqual(
    stats.operators.map((s) => s.name),
    ['Range(200)', 'Map(double)->Map(increment)'],
  );
  assert.equal(stats.operators[1].rowsOut, 200);
});

test('udf maps with different numCpus, concurrency or retries do not fuse', () => {
  assert.deepEqual(physicalNames(range(5).map(doubleUdf, { numCpus: 1 }).map(incrementUdf, { numCpus: 2 })), [
    'Range(5)',
    'Map(double)',
    'Map(increment)',
  ]);
  assert.deepEqual(physicalNames(range(5).map(doubleUdf).map(incrementUdf, { concurrency: 1 })), [
    'Range(5)',
    'Map(double)',
    'Map(increment)',
  ]);
  assert.deepEqual(physicalNames(range(5).map(doubleUdf).map(incrementUdf, { maxRetries: 0 })), [
    'Range(5)',
    'Map(double)',
    'Map(increment)',
  ]);
  // Main-thread maps with different concurrency do not fuse either.
  const a = (r: { id: number }) => r;
  assert.deepEqual(physicalNames(range(5).map(a, { name: 'one' }).map(a, { name: 'two', concurrency: 2 })), ['Range(5)', 'one', 'two']);
});

test('selectColumns fuses with either neighbour', () => {
  const plain = function plain(r: { id: number }) {
    return { id: r.id, x: 1 };
  };
  // After a main-thread map, and before one.
  assert.deepEqual(physicalNames(range(5).map(plain).selectColumns(['x'])), ['Range(5)', 'Map(plain)->SelectColumns(x)']);
  assert.deepEqual(physicalNames(range(5).selectColumns(['id']).map(plain)), ['Range(5)', 'SelectColumns(id)->Map(plain)']);
  // After a udf map, and before one: it takes on the task-pool compute.
  const afterUdf = mapOp(planJob(range(5).map(doubleUdf).selectColumns(['x']).plan).physical);
  assert.equal(afterUdf.name, 'Map(double)->SelectColumns(x)');
  assert.equal(afterUdf.compute.kind, 'tasks');
  const beforeUdf = mapOp(planJob(range(5).selectColumns(['id']).map(doubleUdf).plan).physical);
  assert.equal(beforeUdf.name, 'SelectColumns(id)->Map(double)');
  assert.equal(beforeUdf.compute.kind, 'tasks');
  // Between a main-thread map and a udf map it joins the first, and the udf map stays apart.
  assert.deepEqual(physicalNames(range(5).map(plain).selectColumns(['id']).map(doubleUdf)), [
    'Range(5)',
    'Map(plain)->SelectColumns(id)',
    'Map(double)',
  ]);
  // Column operations alone fuse into one operator that can run anywhere.
  const columnsOnly = mapOp(planJob(range(5).renameColumns({ id: 'k' }).selectColumns(['k']).plan).physical);
  assert.equal(columnsOnly.name, 'RenameColumns(id->k)->SelectColumns(k)');
  assert.equal(columnsOnly.compute.kind, 'any');
});

test('fused column operations run correctly on the task pool', async () => {
  const rows = await range(10).selectColumns(['id']).map(doubleUdf).dropColumns(['id']).takeAll({ preserveOrder: true, cpus: 2 });
  assert.deepEqual(
    rows,
    Array.from({ length: 10 }, (_, i) => ({ x: i * 2 })),
  );
});

test('numCpus above the job’s cpus fails with a clear error instead of waiting forever', async () => {
  await assert.rejects(range(10).map(doubleUdf, { numCpus: 4 }).count({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.match(error.message, /Map\(double\) numCpus/);
    assert.match(error.message, /cpus \(2\)/);
    return true;
  });
});

test('operators that are not maps stop fusion', () => {
  const a = function a(r: { id: number }) {
    return r;
  };
  assert.deepEqual(physicalNames(range(5).map(a).limit(3).map(a)), ['Range(3)', 'Map(a)->Map(a)']);
  assert.deepEqual(physicalNames(range(5).map(a).sort('id').map(a)), ['Range(5)', 'Map(a)', 'Sort(id)', 'Map(a)']);
  assert.deepEqual(physicalNames(range(5).map(a).union(range(3).map(a)).map(a)), [
    'Range(5)',
    'Map(a)',
    'Range(3)',
    'Map(a)',
    'Union',
    'Map(a)',
  ]);
});

// ---- explain -----------------------------------------------------------------------------

test('explainPlan shows the logical, optimized and physical plans with where each operator runs', () => {
  const ds = range(100)
    .map(doubleUdf)
    .map(incrementUdf)
    .filter(function small(r) {
      return r.x < 50;
    })
    .limit(5);
  const text = explainPlan(planJob(ds.plan));
  const [logical, optimized, physical] = text.split(/^-------- .* --------$/m).slice(1);
  assert.ok(text.startsWith('-------- Logical Plan --------\n'));
  assert.match(text, /^-------- Logical Plan \(Optimized\) --------$/m);
  assert.match(text, /^-------- Physical Plan --------$/m);
  assert.equal(
    logical.trim(),
    ['Limit(5)', '+- Filter(small)', '   +- Map(increment)', '      +- Map(double)', '         +- Range(100)'].join('\n'),
  );
  // A limit cannot pass a filter, so the optimized plan is the same.
  assert.equal(optimized.trim(), logical.trim());
  assert.equal(
    physical.trim(),
    [
      'Limit(5)',
      '+- Filter(small) [main thread, concurrency 16]',
      '   +- Map(double)->Map(increment) [task pool, 1 CPU per task]',
      '      +- Range(100)',
    ].join('\n'),
  );
});

test('explain of a union draws every input', () => {
  const text = explainPlan(planJob(range(3).union(fromItems([{ id: 9 }])).plan));
  assert.match(text, /Union\n\+- Range\(3\)\n\+- FromItems\(1\)/);
});

// ---- limit pushdown ------------------------------------------------------------------------

test('range(1e9).map(f).limit(5) maps five rows and returns at once', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id, sq: r.id * r.id }));
  const ds = range(1_000_000_000).map(f.fn).limit(5);
  assert.deepEqual(optimizedChain(ds), ['Map:Map(fn)', 'Source:Range(5)']);
  assert.deepEqual(physicalNames(ds), ['Range(5)', 'Map(fn)']);
  const started = performance.now();
  const rows = await ds.takeAll({ preserveOrder: true });
  const elapsed = performance.now() - started;
  assert.deepEqual(
    rows.map((r) => r.sq),
    [0, 1, 4, 9, 16],
  );
  assert.equal(f.calls, 5);
  assert.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`);
  assert.match(explainPlan(planJob(ds.plan)), /Optimized\) --------\nMap\(fn\)\n\+- Range\(5\)/);
});

test('take(n) pushes its limit too', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id }));
  const rows = await range(1_000_000_000)
    .map(f.fn)
    .addColumn('s', (r) => String(r.id))
    .selectColumns(['s'])
    .take(3);
  assert.equal(rows.length, 3);
  assert.equal(f.calls, 3);
});

test('a limit passes one-to-one steps but not a filter; the filter still stops early', async () => {
  const f = countCalls((r: { id: number }) => r.id % 2 === 1);
  const ds = range(1_000_000_000)
    .map((r) => ({ id: r.id }), { name: 'copy' })
    .filter(f.fn)
    .renameColumns({ id: 'odd' })
    .limit(5);
  // It moves below the rename, stops above the filter, and the copy below keeps the whole range.
  assert.deepEqual(optimizedChain(ds), [
    'Map:RenameColumns(id->odd)',
    'Limit:Limit(5)',
    'Map:Filter(fn)',
    'Map:copy',
    'Source:Range(1000000000)',
  ]);
  const started = performance.now();
  const rows = await ds.takeAll();
  assert.ok(performance.now() - started < 3_000, 'upstream work stopped once the limit was reached');
  assert.equal(rows.length, 5);
  assert.ok(rows.every((r) => r.odd % 2 === 1));
  assert.ok(f.calls >= 10, 'the filter saw at least the rows it needed');
  assert.ok(f.calls < 5_000_000, `the filter ran ${f.calls} times`);
});

test('a limit does not pass a map that may drop rows (onError skip), a flatMap or an all-to-all', () => {
  const id = (r: { id: number }) => r;
  assert.deepEqual(optimizedChain(range(100).map(id, { onError: 'skip', name: 's' }).limit(5)), [
    'Limit:Limit(5)',
    'Map:s',
    'Source:Range(100)',
  ]);
  assert.deepEqual(
    optimizedChain(
      range(100)
        .flatMap((r) => [r], { name: 'fm' })
        .limit(5),
    ),
    ['Limit:Limit(5)', 'Map:fm', 'Source:Range(100)'],
  );
  assert.deepEqual(optimizedChain(range(100).sort('id').limit(5)), ['Limit:Limit(5)', 'AllToAll:Sort(id)', 'Source:Range(100)']);
});

test('limits merge, and shrink in-memory sources', async () => {
  assert.deepEqual(optimizedChain(range(100).limit(10).limit(50)), ['Source:Range(10)']);
  assert.deepEqual(optimizedChain(range(100).limit(50).limit(10)), ['Source:Range(10)']);
  const items = fromItems(Array.from({ length: 100 }, (_, i) => ({ i })));
  const limited = items.limit(4);
  const [source] = optimizedChain(limited);
  assert.equal(source, 'Source:FromItems(4)');
  assert.deepEqual(await limited.takeAll({ preserveOrder: true }), [{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
});

test('a limit enters each side of a union and stays above it', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id }));
  const ds = range(1_000_000_000).union(range(1_000_000_000).map(f.fn)).limit(3);
  assert.deepEqual(optimizedChain(ds), ['Limit:Limit(3)', 'Union:Union', 'Source:Range(3)', 'Map:Map(fn)', 'Source:Range(3)']);
  const started = performance.now();
  const rows = await ds.takeAll();
  assert.ok(performance.now() - started < 1_000);
  assert.equal(rows.length, 3);
  assert.ok(f.calls <= 3);

  // A map above the union: the limit moves under the map and above the union.
  const g = countCalls((r: { id: number }) => ({ id: r.id + 1 }));
  const above = range(1_000_000_000).union(range(1_000_000_000)).map(g.fn).limit(4);
  assert.deepEqual(optimizedChain(above), ['Map:Map(fn)', 'Limit:Limit(4)', 'Union:Union', 'Source:Range(4)', 'Source:Range(4)']);
  assert.equal((await above.takeAll()).length, 4);
  assert.equal(g.calls, 4);

  // A limit on one input of a union shrinks that input only.
  const h = countCalls((r: { id: number }) => ({ id: r.id }));
  const oneSide = range(1_000_000_000).map(h.fn).limit(3).union(range(2));
  assert.deepEqual(optimizedChain(oneSide), ['Union:Union', 'Map:Map(fn)', 'Source:Range(3)', 'Source:Range(2)']);
  assert.deepEqual(
    (await oneSide.takeAll({ preserveOrder: true })).map((r) => r.id),
    [0, 1, 2, 0, 1],
  );
  assert.equal(h.calls, 3);
});

test('a dataset used twice in one plan becomes two operators', () => {
  const base = range(10);
  const plan = planJob(base.union(base).plan);
  const ops = physicalOps(plan.physical);
  assert.deepEqual(
    ops.map((op) => op.name),
    ['Range(10)', 'Range(10)', 'Union'],
  );
  assert.notEqual(ops[0], ops[1], 'each side has its own operator (and so its own output queue)');
});

test('the logical plan a dataset holds is not changed by planning', () => {
  const ds = range(100)
    .map((r) => r)
    .limit(5);
  const before = ds.plan;
  const plan = planJob(ds.plan);
  assert.equal(plan.logical, before);
  assert.equal(ds.plan, before);
  assert.equal(before.kind, 'Limit');
  assert.notEqual(plan.optimized, before);
});
