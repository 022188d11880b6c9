import { Typography } from '@mantine/core';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

/** Markdown rendered with marked, sanitised with DOMPurify. */
export function Markdown({ source, testId }: { source: string; testId?: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(source, { async: false })), [source]);
  return (
    <Typography>
      <div className="fb-markdown" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />
    </Typography>
  );
}
