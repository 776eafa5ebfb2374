/**
 * One cycle per strongly connected component of more than one node, each as a closed path
 * (`['a', 'b', 'c', 'a']`) starting at the component's first node in `order`. Self-loops are
 * left out (a node that lists itself is reported where it is written). Deterministic: nodes and
 * edges are visited in the order given.
 */
export function findCycles(order: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const components = stronglyConnected(order, edges).filter((c) => c.length > 1);
  return components.map((component) => {
    const members = new Set(component);
    const start = order.find((n) => members.has(n)) as string;
    return [...(pathBack(start, members, edges) as string[]), start];
  });
}

/** A path start → … → (a node with an edge back to start) inside `members`, by depth-first search. */
function pathBack(
  start: string,
  members: ReadonlySet<string>,
  edges: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const visited = new Set<string>();
  const walk = (node: string, path: string[]): string[] | undefined => {
    visited.add(node);
    for (const next of edges.get(node) ?? []) {
      if (next === node) continue; // a self-loop is no path back
      if (next === start) return path;
      if (!members.has(next) || visited.has(next)) continue;
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

/** Tarjan's algorithm, iterating nodes in `order`. */
function stronglyConnected(order: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const known = new Set(order);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!known.has(next)) continue; // an unknown name is reported on its own
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      out.push(component);
    }
  };
  for (const node of order) if (!index.has(node)) visit(node);
  return out;
}
