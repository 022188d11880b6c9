import { Anchor, Breadcrumbs as MBreadcrumbs, Text } from '@mantine/core';
import { useT } from '../i18n';
import { hrefFor, navigate } from '../router';

/** Crumbs from the root (or from `base`, e.g. a share's `/@s/<id>`, shown as `rootLabel`) to `path`. */
export function PathBreadcrumbs({ path, base = '', rootLabel }: { path: string; base?: string; rootLabel?: string }) {
  const t = useT();
  const parts = path.slice(base.length).split('/').filter(Boolean);
  const crumbs = [{ label: rootLabel ?? t('home'), to: base || '/' }, ...parts.map((p, i) => ({ label: p, to: `${base}/${parts.slice(0, i + 1).join('/')}` }))];
  return (
    <nav aria-label="breadcrumbs" style={{ minWidth: 0, overflowX: 'auto' }}>
      <MBreadcrumbs separatorMargin={6} style={{ flexWrap: 'nowrap' }}>
        {crumbs.map((c, i) =>
          i === crumbs.length - 1 ? (
            <Text key={c.to} fw={600} aria-current="page" style={{ whiteSpace: 'nowrap' }}>
              {c.label}
            </Text>
          ) : (
            <Anchor
              key={c.to}
              href={hrefFor(c.to)}
              style={{ whiteSpace: 'nowrap' }}
              onClick={(e) => {
                e.preventDefault();
                navigate(c.to);
              }}
            >
              {c.label}
            </Anchor>
          ),
        )}
      </MBreadcrumbs>
    </nav>
  );
}
