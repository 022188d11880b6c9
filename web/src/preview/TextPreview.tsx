import { Alert, Skeleton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Markdown } from '../components/Markdown';
import { formatSize } from '../components/format';
import { useT } from '../i18n';
import { highlight } from './highlight';

const MAX = 2 * 1024 * 1024;

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) {
    let msg = `HTTP ${res.status}`;
    try {
      msg = ((await res.json()) as { message?: string }).message ?? msg;
    } catch {
      /* not JSON */
    }
    throw new Error(msg);
  }
  return res.text();
}

/** Text, code (highlighted) and markdown, fetched from the same-origin proxy link. */
export default function TextPreview({ url, name, size }: { url: string; name: string; size: number }) {
  const t = useT();
  const text = useQuery({ queryKey: ['text', url], queryFn: () => fetchText(url), enabled: size <= MAX, staleTime: 0 });
  if (size > MAX) return <Alert>{t('tooBig', { size: formatSize(size) })}</Alert>;
  if (text.isPending) return <Skeleton height={240} />;
  if (text.isError) {
    return (
      <Alert color="red" role="alert">
        {text.error.message}
      </Alert>
    );
  }
  if (/\.(md|markdown)$/i.test(name)) return <Markdown source={text.data} testId="markdown-preview" />;
  const html = highlight(text.data, name);
  return html === null ? (
    <pre className="fb-code" data-testid="text-preview">
      {text.data}
    </pre>
  ) : (
    <pre className="fb-code" data-testid="text-preview">
      <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}
