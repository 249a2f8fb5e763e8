/**
 * The department tree from the API's flat list, and what of it is shown: pure functions, no React.
 *
 * A department manager reads only the subtrees they manage, so a department whose parent is not in the list
 * is a root of what the viewer sees.
 */

export interface FlatDepartment {
  id: string;
  name: string;
  code: string | null;
  parentId: string | null;
}

export interface TreeNode<D extends FlatDepartment> {
  department: D;
  parent: TreeNode<D> | null;
  /** Siblings by name (then code), like the API's `children`. */
  children: TreeNode<D>[];
  /** 1 for a root of the visible tree. */
  level: number;
}

export interface Tree<D extends FlatDepartment> {
  roots: TreeNode<D>[];
  byId: Map<string, TreeNode<D>>;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const byName = <D extends FlatDepartment>(a: TreeNode<D>, b: TreeNode<D>) =>
  collator.compare(a.department.name, b.department.name) ||
  collator.compare(a.department.code ?? '', b.department.code ?? '');

export function buildTree<D extends FlatDepartment>(list: readonly D[]): Tree<D> {
  const byId = new Map<string, TreeNode<D>>();
  for (const d of list) byId.set(d.id, { department: d, parent: null, children: [], level: 1 });
  const roots: TreeNode<D>[] = [];
  for (const node of byId.values()) {
    const parent = node.department.parentId ? byId.get(node.department.parentId) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  const order = (nodes: TreeNode<D>[], level: number) => {
    nodes.sort(byName);
    for (const n of nodes) {
      n.level = level;
      order(n.children, level + 1);
    }
  };
  order(roots, 1);
  return { roots, byId };
}

/** Lower case without accents: "Sécurité" is found by "secur". */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function matches(d: FlatDepartment, query: string): boolean {
  const q = normalise(query.trim());
  if (!q) return true;
  return normalise(d.name).includes(q) || (d.code !== null && normalise(d.code).includes(q));
}

/**
 * With a search: the matching departments and their ancestors (so each match is shown where it sits), all of
 * them expanded down to the matches. Null without a search: everything may be shown.
 */
export function searchReveal<D extends FlatDepartment>(
  tree: Tree<D>,
  query: string,
): { visible: Set<string>; matched: Set<string> } | null {
  if (!query.trim()) return null;
  const visible = new Set<string>();
  const matched = new Set<string>();
  for (const node of tree.byId.values()) {
    if (!matches(node.department, query)) continue;
    matched.add(node.department.id);
    for (let n: TreeNode<D> | null = node; n && !visible.has(n.department.id); n = n.parent) {
      visible.add(n.department.id);
    }
  }
  return { visible, matched };
}

export interface VisibleRow<D extends FlatDepartment> {
  node: TreeNode<D>;
  /** Whether it has children that can be shown (under the current search). */
  hasChildren: boolean;
  expanded: boolean;
  /** 1-based position among its shown siblings, and how many they are (for aria-posinset/setsize). */
  position: number;
  setSize: number;
}

/** The rows shown, top to bottom: the order of keyboard navigation. */
export function visibleRows<D extends FlatDepartment>(
  tree: Tree<D>,
  expanded: ReadonlySet<string>,
  reveal: { visible: Set<string> } | null,
): VisibleRow<D>[] {
  const rows: VisibleRow<D>[] = [];
  const shown = (n: TreeNode<D>) => !reveal || reveal.visible.has(n.department.id);
  const walk = (nodes: TreeNode<D>[]) => {
    const list = nodes.filter(shown);
    list.forEach((node, i) => {
      const kids = node.children.filter(shown);
      // While searching, every shown department with shown children is open: that is how matches are revealed.
      const open = kids.length > 0 && (reveal !== null || expanded.has(node.department.id));
      rows.push({
        node,
        hasChildren: kids.length > 0,
        expanded: open,
        position: i + 1,
        setSize: list.length,
      });
      if (open) walk(kids);
    });
  };
  walk(tree.roots);
  return rows;
}

/** The department and everything below it: a department cannot move into these. */
export function subtreeIds<D extends FlatDepartment>(tree: Tree<D>, id: string): Set<string> {
  const out = new Set<string>();
  const walk = (n: TreeNode<D>) => {
    out.add(n.department.id);
    n.children.forEach(walk);
  };
  const start = tree.byId.get(id);
  if (start) walk(start);
  return out;
}

/** "Directorate › Division › Unit": the names from the visible root down to the department. */
export function pathLabel<D extends FlatDepartment>(tree: Tree<D>, id: string): string {
  const names: string[] = [];
  for (let n = tree.byId.get(id) ?? null; n; n = n.parent) names.unshift(n.department.name);
  return names.join(' › ');
}

/** Departments as select options in tree order, each labelled with its path. */
export function departmentOptions<D extends FlatDepartment>(
  tree: Tree<D>,
  exclude: ReadonlySet<string> = new Set(),
): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = [];
  const walk = (nodes: TreeNode<D>[]) => {
    for (const n of nodes) {
      if (!exclude.has(n.department.id))
        out.push({ value: n.department.id, label: pathLabel(tree, n.department.id) });
      walk(n.children);
    }
  };
  walk(tree.roots);
  return out;
}
