import { Button, Checkbox, Group, MultiSelect, Paper, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconX } from '../../ui/icons';
import { useEffect, useState } from 'react';
import { useDepartmentOptions } from '../../api/departments';
import { roleName, useRoles } from '../../auth/viewer';
import { titleCase } from '../../auth/viewer';
import { userStatuses, type UserStatus } from '../../ui/badges';
import { hasFilters, inactiveDayChoices, type RoleKey, type UsersView } from './users-view';

const signedInOptions = [
  { value: 'any', label: 'Any' },
  { value: 'never', label: 'Never signed in' },
  { value: 'ever', label: 'Signed in at least once' },
];

export function UsersFilters({
  view,
  onChange,
}: {
  view: UsersView;
  onChange: (patch: Partial<UsersView>, options?: { replace?: boolean }) => void;
}) {
  const roles = useRoles();
  const departments = useDepartmentOptions();
  const [text, setText] = useState(view.search);
  const [debounced] = useDebouncedValue(text.trim(), 300);
  useEffect(() => {
    if (debounced !== view.search) onChange({ search: debounced }, { replace: true });
    // Only newly typed text drives the address: re-running on other changes of `view` (back button,
    // "clear filters") would write the old text back over them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  // The address changed by other means: show its search (React's "adjust state on prop change").
  const [shownSearch, setShownSearch] = useState(view.search);
  if (view.search !== shownSearch) {
    setShownSearch(view.search);
    if (view.search !== debounced) setText(view.search);
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Filters">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="sm">
        <TextInput
          label="Search"
          placeholder="Name or email"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          maxLength={100}
          type="search"
        />
        <MultiSelect
          label="Status"
          placeholder={view.status.length ? undefined : 'All but deactivated'}
          data={userStatuses.map((s) => ({ value: s, label: titleCase(s) }))}
          value={view.status}
          onChange={(v) => onChange({ status: v as UserStatus[] })}
          clearable
        />
        <MultiSelect
          label="Role"
          placeholder={view.role.length ? undefined : 'Any role'}
          data={[...new Set([...(roles.data ?? []).map((r) => r.key), ...view.role])].map((r) => ({
            value: r,
            label: roleName(roles.data, r),
          }))}
          value={view.role}
          onChange={(v) => onChange({ role: v as RoleKey[] })}
          clearable
        />
        <Select
          label="Signed in"
          data={signedInOptions}
          value={view.neverSignedIn === null ? 'any' : view.neverSignedIn ? 'never' : 'ever'}
          onChange={(v) => onChange({ neverSignedIn: v === 'never' ? true : v === 'ever' ? false : null })}
          allowDeselect={false}
        />
        {departments.data ? (
          <Select
            label="Department"
            placeholder="Any department"
            data={departments.data}
            value={view.department}
            onChange={(v) => onChange({ department: v })}
            searchable
            clearable
            nothingFoundMessage="No such department"
          />
        ) : null}
        {departments.data ? (
          <Checkbox
            label="Include sub-departments"
            checked={view.subtree}
            disabled={!view.department}
            onChange={(e) => onChange({ subtree: e.currentTarget.checked })}
            mt={{ base: 0, sm: 30 }}
          />
        ) : null}
        <TextInput
          label="Last active from"
          type="date"
          value={view.activeAfter ?? ''}
          onChange={(e) => onChange({ activeAfter: e.currentTarget.value || null })}
        />
        <TextInput
          label="Last active until"
          type="date"
          value={view.inactiveDays ? '' : (view.activeBefore ?? '')}
          onChange={(e) => onChange({ activeBefore: e.currentTarget.value || null, inactiveDays: null })}
        />
      </SimpleGrid>
      <Group mt="sm" gap="xs" role="group" aria-label="Quick filters">
        <Button
          size="xs"
          variant={view.neverSignedIn === true ? 'filled' : 'default'}
          aria-pressed={view.neverSignedIn === true}
          onClick={() =>
            onChange({ neverSignedIn: view.neverSignedIn === true ? null : true, inactiveDays: null })
          }
        >
          Never signed in
        </Button>
        {inactiveDayChoices.map((days) => (
          <Button
            key={days}
            size="xs"
            variant={view.inactiveDays === days ? 'filled' : 'default'}
            aria-pressed={view.inactiveDays === days}
            onClick={() =>
              onChange({
                inactiveDays: view.inactiveDays === days ? null : days,
                neverSignedIn: null,
                activeBefore: null,
              })
            }
          >
            Inactive for {days} days
          </Button>
        ))}
      </Group>
      {hasFilters(view) ? (
        <Group mt="sm">
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconX size={14} aria-hidden />}
            onClick={() => {
              setText('');
              onChange({
                search: '',
                status: [],
                role: [],
                department: null,
                subtree: false,
                activeAfter: null,
                activeBefore: null,
                neverSignedIn: null,
                inactiveDays: null,
              });
            }}
          >
            Clear filters
          </Button>
        </Group>
      ) : null}
    </Paper>
  );
}
