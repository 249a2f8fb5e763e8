import { Menu, VisuallyHidden, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { IconCheck } from '../ui/icons';

const choices: { value: MantineColorScheme; label: string }[] = [
  { value: 'auto', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/**
 * The account menu's appearance choice: follow the system's light or dark setting (the default), or keep
 * one. Mantine keeps the choice in this browser's local storage.
 */
export function ColorSchemeItems() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <>
      <Menu.Divider />
      <Menu.Label>Appearance</Menu.Label>
      {choices.map((c) => (
        <Menu.Item
          key={c.value}
          leftSection={
            <IconCheck
              size={16}
              aria-hidden
              style={{ visibility: colorScheme === c.value ? undefined : 'hidden' }}
            />
          }
          onClick={() => setColorScheme(c.value)}
        >
          {c.label}
          {colorScheme === c.value ? <VisuallyHidden>, chosen</VisuallyHidden> : null}
        </Menu.Item>
      ))}
    </>
  );
}
