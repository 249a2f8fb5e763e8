import { Badge, Group, Highlight, Text } from '@mantine/core';
import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { TreeDepartment } from '../../api/departments-documents';
import { IconChevronRight } from '../../ui/icons';
import classes from './department-tree.module.css';
import { searchReveal, visibleRows, type Tree } from './tree-model';

const rowId = (id: string) => `department-tree-item-${id}`;

/**
 * The department tree, after the WAI-ARIA tree view pattern: one tab stop; ↑ ↓ move, → opens or goes to the
 * first sub-department, ← closes or goes to the parent, Home and End, Enter opens the department, * opens
 * the siblings. Selection follows focus. With a search, the matches are shown with their ancestors.
 * Holders of `departments:manage` can also drag a department onto its new parent.
 */
export function DepartmentTree({
  tree,
  search,
  selectedId,
  onSelect,
  onOpen,
  managedIds,
  onDropMove,
}: {
  tree: Tree<TreeDepartment>;
  search: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  managedIds: ReadonlySet<string>;
  /** Present when the viewer may move departments: a department was dropped onto another. */
  onDropMove?: (departmentId: string, newParentId: string) => void;
}) {
  const [expanded, setExpanded] = useState<Set<string>>(
    () => new Set(tree.roots.map((r) => r.department.id)),
  );
  // A department selected from elsewhere (just created, in the address) is shown: its ancestors open.
  const [revealedFor, setRevealedFor] = useState<string | null>(null);
  if (selectedId !== revealedFor) {
    setRevealedFor(selectedId);
    const closed: string[] = [];
    for (let n = selectedId ? tree.byId.get(selectedId)?.parent : null; n; n = n.parent) {
      if (!expanded.has(n.department.id)) closed.push(n.department.id);
    }
    if (closed.length > 0) setExpanded(new Set([...expanded, ...closed]));
  }
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const reveal = useMemo(() => searchReveal(tree, search), [tree, search]);
  const rows = useMemo(() => visibleRows(tree, expanded, reveal), [tree, expanded, reveal]);

  // The one tab stop: the selected row when shown, else the first.
  const tabStop = rows.some((r) => r.node.department.id === selectedId)
    ? selectedId
    : (rows[0]?.node.department.id ?? null);

  const setOpen = (id: string, open: boolean) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    });

  const focus = (id: string | undefined) => {
    if (!id) return;
    onSelect(id);
    document.getElementById(rowId(id))?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>, index: number) => {
    const row = rows[index];
    if (!row) return;
    const id = row.node.department.id;
    const handled = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    switch (e.key) {
      case 'ArrowDown':
        handled();
        focus(rows[index + 1]?.node.department.id);
        break;
      case 'ArrowUp':
        handled();
        focus(rows[index - 1]?.node.department.id);
        break;
      case 'Home':
        handled();
        focus(rows[0]?.node.department.id);
        break;
      case 'End':
        handled();
        focus(rows.at(-1)?.node.department.id);
        break;
      case 'ArrowRight':
        handled();
        if (row.hasChildren && !row.expanded && !reveal) setOpen(id, true);
        else if (row.expanded) focus(rows[index + 1]?.node.department.id);
        break;
      case 'ArrowLeft':
        handled();
        if (row.expanded && !reveal) setOpen(id, false);
        else focus(row.node.parent?.department.id);
        break;
      case 'Enter':
        handled();
        onOpen(id);
        break;
      case ' ':
        handled();
        onSelect(id);
        break;
      case '*': {
        handled();
        const siblings = row.node.parent ? row.node.parent.children : tree.roots;
        setExpanded((prev) => new Set([...prev, ...siblings.map((s) => s.department.id)]));
        break;
      }
    }
  };

  const dragProps = (id: string) =>
    onDropMove
      ? {
          draggable: true,
          onDragStart: (e: DragEvent) => {
            e.dataTransfer.setData('text/plain', id);
            e.dataTransfer.effectAllowed = 'move';
            setDragging(id);
          },
          onDragEnd: () => {
            setDragging(null);
            setDropTarget(null);
          },
          onDragOver: (e: DragEvent) => {
            if (!dragging || dragging === id) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'move';
            if (dropTarget !== id) setDropTarget(id);
          },
          onDragLeave: () => setDropTarget((t) => (t === id ? null : t)),
          onDrop: (e: DragEvent) => {
            e.preventDefault();
            const moved = e.dataTransfer.getData('text/plain') || dragging;
            setDragging(null);
            setDropTarget(null);
            if (moved && moved !== id) onDropMove(moved, id);
          },
        }
      : {};

  return (
    <div role="tree" aria-label="Departments" className={classes.tree} data-testid="department-tree">
      {rows.map((row, index) => {
        const d = row.node.department;
        const label = `${rowId(d.id)}-label`;
        return (
          <div
            key={d.id}
            id={rowId(d.id)}
            role="treeitem"
            aria-labelledby={managedIds.has(d.id) ? `${label} ${label}-managed` : label}
            aria-level={row.node.level}
            aria-setsize={row.setSize}
            aria-posinset={row.position}
            aria-expanded={row.hasChildren ? row.expanded : undefined}
            aria-selected={d.id === selectedId}
            tabIndex={d.id === tabStop ? 0 : -1}
            className={classes.row}
            style={{ paddingLeft: `calc(${row.node.level - 1} * 22px + 4px)` }}
            data-drop-target={dropTarget === d.id || undefined}
            onClick={() => focus(d.id)}
            onDoubleClick={() => onOpen(d.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
            {...dragProps(d.id)}
          >
            <span
              className={classes.toggle}
              data-expanded={row.expanded || undefined}
              aria-hidden
              onClick={(e) => {
                if (!row.hasChildren || reveal) return;
                e.stopPropagation();
                setOpen(d.id, !row.expanded);
                focus(d.id);
              }}
            >
              {row.hasChildren ? <IconChevronRight size={16} /> : null}
            </span>
            <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
              <Text size="sm" fw={500} truncate id={label} component="span">
                <Highlight component="span" size="sm" fw={500} highlight={reveal ? search.trim() : ''}>
                  {d.name}
                </Highlight>
                {d.code ? (
                  <>
                    {' '}
                    <Highlight component="span" size="xs" c="dimmed" highlight={reveal ? search.trim() : ''}>
                      {d.code}
                    </Highlight>
                  </>
                ) : null}
              </Text>
              {managedIds.has(d.id) ? (
                <Badge id={`${label}-managed`} size="xs" variant="light" color="teal" tt="none">
                  You manage
                </Badge>
              ) : null}
            </Group>
          </div>
        );
      })}
    </div>
  );
}
