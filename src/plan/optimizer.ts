import type { LogicalNode } from './logical.js';
import { pushDownLimits } from './rules/limit-pushdown.js';

/** Logical rewrites, applied in order. Each rule is a function from plan to plan. */
const LOGICAL_RULES: ReadonlyArray<(node: LogicalNode) => LogicalNode> = [pushDownLimits];

export function optimizeLogical(node: LogicalNode): LogicalNode {
  return LOGICAL_RULES.reduce((plan, rule) => rule(plan), node);
}
