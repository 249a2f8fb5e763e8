import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { splitLinks } from './split-links';

/**
 * Plain text whose http(s) links are clickable; they open in a new tab without giving it a handle on
 * this one (rel="noopener noreferrer"). Text is never interpreted as markup.
 */
export function LinkifiedText({ text }: { text: string }): ReactNode {
  return splitLinks(text).map((part, i) =>
    'href' in part ? (
      <Anchor key={i} href={part.href} target="_blank" rel="noopener noreferrer">
        {part.href}
      </Anchor>
    ) : (
      <span key={i}>{part.text}</span>
    ),
  );
}
