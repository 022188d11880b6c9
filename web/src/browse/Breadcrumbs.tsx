import { Anchor, Breadcrumbs as MBreadcrumbs, Text } from '@mantine/core';
import { useT } from '../i18n';
import { hrefFor, navigate } from '../router';

export function PathBreadcrumbs({ path }: { path: string }) {
  const t = useT();
  const parts = path.split('/').filter(Boolean);
  const crumbs = [{ label: t('home'), to: '/' }, ...parts.map((p, i) => ({ label: p, to: `/${parts.slice(0, i + 1).join('/')}` }))];
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
