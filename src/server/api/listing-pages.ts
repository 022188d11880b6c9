import type { MountSpec } from '../../core/mount.js';
import type { VEntry } from '../../core/virtual-fs.js';

/** One page of a listing, serialized: the JSON array of AList objects and the visible total. */
export interface ListingPage {
  content: string;
  total: number;
}

interface Held extends ListingPage {
  /** The second the page's signs were made in; 0 when it holds none (then it does not age). */
  second: number;
}

/**
 * Serialized listing pages, kept while the listing they were made from lives: a storage's cached
 * listing is the same array until its cache drops it (a change, a refresh, expiry), so a page is
 * never older than the listing it shows. A page is reused only for the same view of the folder
 * (hidden entries shown or not, page, page size), the same settings, path rules and storage
 * configuration, and, when it carries signs, within the second they were made in (a sign names its
 * expiry second, so within that second the same sign would be made again).
 */
export class ListingPages {
  private readonly pages = new WeakMap<readonly VEntry[], Map<string, Held>>();

  /** The page of `listing` for `view`, made by `build` when no page made under the same conditions is held. */
  page(
    listing: readonly VEntry[],
    view: { seesHidden: boolean; page: number; perPage: number; settings: number; rules: number; mount: MountSpec | undefined },
    build: () => { content: string; total: number; signed: boolean },
  ): ListingPage {
    const key = `${view.seesHidden ? 1 : 0}\0${view.page}\0${view.perPage}\0${view.settings}\0${view.rules}\0${view.mount?.version ?? ''}`;
    const second = Math.floor(Date.now() / 1000);
    let held = this.pages.get(listing);
    const had = held?.get(key);
    if (had && (had.second === 0 || had.second === second)) return had;
    const made = build();
    const page: Held = { content: made.content, total: made.total, second: made.signed ? second : 0 };
    if (!held) this.pages.set(listing, (held = new Map()));
    // A few views per folder at most; a folder paged through by many page sizes starts afresh.
    if (held.size >= 32) held.clear();
    held.set(key, page);
    return page;
  }
}
