import { Button, Group, Text } from '@mantine/core';
import { useEffect } from 'react';
import { joinPath, parentOf, proxyUrl } from '../api/client';
import { useFsList } from '../api/fs';
import { useT } from '../i18n';
import { navigate } from '../router';

/** An image with previous/next through the folder's images (arrow keys too) and a thumbnail strip. */
export function Gallery({ path, sign, password }: { path: string; sign: string; password: string }) {
  const t = useT();
  const dir = parentOf(path);
  const siblings = useFsList(dir, password);
  const images = (siblings.data?.content ?? []).filter((o) => o.type === 5).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const index = images.findIndex((o) => joinPath(dir, o.name) === path);
  const prev = index > 0 ? images[index - 1] : undefined;
  const next = index >= 0 && index < images.length - 1 ? images[index + 1] : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea')) return;
      if (e.key === 'ArrowLeft' && prev) navigate(joinPath(dir, prev.name), true);
      if (e.key === 'ArrowRight' && next) navigate(joinPath(dir, next.name), true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dir, prev, next]);

  const window0 = Math.max(0, index - 50);
  return (
    <div>
      <img className="fb-preview-img" src={proxyUrl(path, sign)} alt={path.split('/').pop()} data-testid="image-preview" />
      {images.length > 1 && (
        <>
          <Group justify="center" mt="xs">
            <Button variant="default" size="xs" disabled={!prev} onClick={() => prev && navigate(joinPath(dir, prev.name), true)}>
              ← {t('previous')}
            </Button>
            <Text size="sm">
              {index + 1} / {images.length}
            </Text>
            <Button variant="default" size="xs" disabled={!next} onClick={() => next && navigate(joinPath(dir, next.name), true)}>
              {t('next')} →
            </Button>
          </Group>
          <div className="fb-thumbs" aria-label="gallery">
            {images.slice(window0, window0 + 100).map((o) => (
              <img key={o.name} src={proxyUrl(joinPath(dir, o.name), o.sign)} alt={o.name} loading="lazy" data-active={o.name === images[index]?.name} onClick={() => navigate(joinPath(dir, o.name), true)} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
