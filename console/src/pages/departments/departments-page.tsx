import { Button, Card, Grid, Group, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useViewerAccess } from '../../api/departments-access';
import type { TreeDepartment } from '../../api/departments-documents';
import { IconPlus, IconSearch } from '../../ui/icons';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { DepartmentFormModal } from './department-form';
import { DepartmentTree } from './department-tree';
import { MoveDepartmentModal, ArchiveDepartmentModal } from './move-archive';
import { SelectedDepartment } from './selected-department';
import { searchReveal, type Tree } from './tree-model';
import { useDepartmentTree } from './use-departments';

export type DepartmentDialog =
  | { kind: 'create'; parentId: string | null }
  | {
      kind: 'edit';
      department: TreeDepartment;
      description: string | null | undefined;
      /** The group→role mapping, when loaded. */
      scimRole?: string | null;
    }
  | { kind: 'move'; department: TreeDepartment; parentId?: string }
  | { kind: 'archive'; department: TreeDepartment };

export function DepartmentsPage() {
  const { query, tree } = useDepartmentTree();
  const access = useViewerAccess();
  const canManage = access.orgWide('departments:manage');
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const selectedParam = params.get('selected');
  const [dialog, setDialog] = useState<DepartmentDialog | null>(null);

  const setParam = (name: string, value: string | null) =>
    setParams(
      () => {
        // From the address as it is now: a control may call back with a handler of an earlier render.
        const next = new URLSearchParams(window.location.search);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const selected = selectedParam && tree?.byId.has(selectedParam) ? selectedParam : null;
  const reveal = tree ? searchReveal(tree, search) : null;

  return (
    <Page
      title="Departments"
      description="The organisation’s tree. Select a department to see it here; Enter or double-click opens it."
      actions={
        canManage ? (
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setDialog({ kind: 'create', parentId: null })}
          >
            New department
          </Button>
        ) : null
      }
    >
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder padding="md" component="section" aria-label="Department tree">
            <Group align="flex-end" justify="space-between" mb="sm" wrap="wrap">
              <TextInput
                label="Search departments"
                placeholder="Name or code"
                type="search"
                leftSection={<IconSearch size={16} aria-hidden />}
                value={search}
                onChange={(e) => setParam('q', e.currentTarget.value)}
                maxLength={100}
                w={{ base: '100%', sm: 320 }}
              />
              <Text size="sm" c="dimmed" aria-live="polite" data-testid="departments-count">
                {!tree
                  ? ''
                  : reveal
                    ? `${reveal.matched.size} of ${tree.byId.size} match`
                    : `${tree.byId.size} department${tree.byId.size === 1 ? '' : 's'}`}
              </Text>
            </Group>
            {query.isPending ? (
              <LoadingState label="Loading the departments…" />
            ) : query.isError ? (
              <ErrorState error={query.error} onRetry={() => void query.refetch()} />
            ) : !tree || tree.roots.length === 0 ? (
              <EmptyState title="No departments yet">
                {canManage ? 'Create the first with “New department”.' : 'None that you may see.'}
              </EmptyState>
            ) : reveal && reveal.matched.size === 0 ? (
              <EmptyState title="No department matches">Try part of a name or a code.</EmptyState>
            ) : (
              <DepartmentTree
                tree={tree}
                search={search}
                selectedId={selected}
                onSelect={(id) => setParam('selected', id)}
                onOpen={(id) => void navigate(`/departments/${id}`)}
                managedIds={access.managedDepartmentIds}
                onDropMove={
                  canManage
                    ? (id, parentId) => {
                        const department = tree.byId.get(id)?.department;
                        if (department) setDialog({ kind: 'move', department, parentId });
                      }
                    : undefined
                }
              />
            )}
          </Card>
          {canManage && tree && tree.byId.size > 1 ? (
            <Text size="xs" c="dimmed" mt="xs">
              To move a department, drag it onto its new parent, or select it and choose “Move”.
            </Text>
          ) : null}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          {tree && selected ? (
            <SelectedDepartment
              tree={tree}
              department={tree.byId.get(selected)!.department}
              canSeeUsers={access.anywhere('users:read')}
              onDialog={setDialog}
            />
          ) : (
            <Card withBorder padding="lg">
              <Text c="dimmed" size="sm">
                Select a department in the tree to see its managers and members.
              </Text>
            </Card>
          )}
        </Grid.Col>
      </Grid>
      {tree && dialog ? (
        <Dialogs
          tree={tree}
          dialog={dialog}
          onClose={() => setDialog(null)}
          onCreated={(id) => setParam('selected', id)}
          onArchived={() => setParam('selected', null)}
        />
      ) : null}
    </Page>
  );
}

/** The create, edit, move and archive dialogs, shared by the tree page and the department page. */
export function Dialogs({
  tree,
  dialog,
  onClose,
  onCreated,
  onArchived,
}: {
  tree: Tree<TreeDepartment>;
  dialog: DepartmentDialog;
  onClose: () => void;
  onCreated?: (id: string) => void;
  onArchived?: () => void;
}) {
  switch (dialog.kind) {
    case 'create':
      return (
        <DepartmentFormModal tree={tree} parentId={dialog.parentId} onClose={onClose} onCreated={onCreated} />
      );
    case 'edit':
      return (
        <DepartmentFormModal
          tree={tree}
          department={{ ...dialog.department, description: dialog.description, scimRole: dialog.scimRole }}
          onClose={onClose}
        />
      );
    case 'move':
      return (
        <MoveDepartmentModal
          tree={tree}
          department={dialog.department}
          initialParentId={dialog.parentId}
          onClose={onClose}
        />
      );
    case 'archive':
      return (
        <ArchiveDepartmentModal
          tree={tree}
          department={dialog.department}
          onClose={onClose}
          onArchived={onArchived}
        />
      );
  }
}
