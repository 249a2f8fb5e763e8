import { createTheme, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  // A visible focus ring for keyboard users on every control.
  focusRing: 'auto',
  defaultRadius: 'sm',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  components: {
    Table: { defaultProps: { verticalSpacing: 'xs' } },
  },
});

/** `#rrggbb` mixed with black: `amount` 0.3 keeps 70 % of the colour. */
export function darken(hex: string, amount: number): string {
  const n = parseInt(hex.replace('#', ''), 16);
  const channel = (shift: number) =>
    Math.round(((n >> shift) & 0xff) * (1 - amount))
      .toString(16)
      .padStart(2, '0');
  return `#${channel(16)}${channel(8)}${channel(0)}`;
}

/**
 * Mantine's light and outline variants put shade 6 text on a pale tint, and filled ones white on shade 6:
 * below WCAG AA contrast (4.5:1) for most colours. Text on tints here is shade 9 darkened by 30 %, filled
 * backgrounds are shade 9, and secondary ("dimmed") text is gray 7.
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const light: Record<string, string> = { '--mantine-color-dimmed': t.colors.gray[7] };
  for (const [name, shades] of Object.entries(t.colors)) {
    if (name === 'dark') continue;
    const text = darken(shades[9], 0.3);
    light[`--mantine-color-${name}-light-color`] = text;
    light[`--mantine-color-${name}-outline`] = text;
    light[`--mantine-color-${name}-text`] = text;
    light[`--mantine-color-${name}-filled`] = shades[9];
    light[`--mantine-color-${name}-filled-hover`] = darken(shades[9], 0.15);
  }
  const primary = t.colors[t.primaryColor]!;
  light['--mantine-primary-color-light-color'] = darken(primary[9], 0.3);
  light['--mantine-primary-color-filled'] = primary[9];
  light['--mantine-primary-color-filled-hover'] = darken(primary[9], 0.15);
  light['--mantine-color-anchor'] = primary[9];
  // Dark scheme: links and tinted text light enough on the dark surfaces (shade 8 would be ~2:1).
  const dark: Record<string, string> = {
    '--mantine-color-dimmed': t.colors.dark[1],
    '--mantine-color-anchor': primary[3],
    '--mantine-primary-color-light-color': primary[2],
  };
  for (const [name, shades] of Object.entries(t.colors)) {
    if (name === 'dark') continue;
    dark[`--mantine-color-${name}-light-color`] = shades[2];
    dark[`--mantine-color-${name}-text`] = shades[3];
    dark[`--mantine-color-${name}-outline`] = shades[3];
  }
  return { variables: {}, light, dark };
};
