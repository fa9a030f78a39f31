import type { LogicalNode } from './logical.js';
import { pushDownLimits } from './rules/limit-pushdown.js';
import { pushDownProjections } from './rules/projection-pushdown.js';

/**
 * Logical rewrites, applied in order. Each rule is a function from plan to plan. Projections
 * go first: a limit moved below a selectColumns would stand between it and the read.
 */
const LOGICAL_RULES: ReadonlyArray<(node: LogicalNode) => LogicalNode> = [pushDownProjections, pushDownLimits];

export function optimizeLogical(node: LogicalNode): LogicalNode {
  return LOGICAL_RULES.reduce((plan, rule) => rule(plan), node);
}
