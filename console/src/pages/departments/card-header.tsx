import { Button, Group, Title } from '@mantine/core';
import { IconPencil } from './icons';

/**
 * A department card's title, with its edit button when the viewer may edit (and the department is live).
 * `titleId` labels the card (`aria-labelledby`).
 */
export function EditableCardHeader({
  titleId,
  title,
  editLabel,
  canEdit,
  onEdit,
}: {
  titleId: string;
  title: string;
  editLabel: string;
  canEdit: boolean;
  onEdit: () => void;
}) {
  return (
    <Group justify="space-between" mb="sm">
      <Title order={2} size="h4" id={titleId}>
        {title}
      </Title>
      {canEdit ? (
        <Button size="xs" variant="light" leftSection={<IconPencil size={14} aria-hidden />} onClick={onEdit}>
          {editLabel}
        </Button>
      ) : null}
    </Group>
  );
}
