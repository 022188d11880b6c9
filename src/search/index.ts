/** The search index (DESIGN.md §3): store and crawler, fed by core's change events. */
export type { MountView } from './apply.js';
export { SEARCH_MODES, type SearchMode } from './config.js';
export { IndexRefusal, type IndexProgress, SearchIndex, type SearchRequest, type SearchView } from './search-index.js';
export { SearchStore } from './store.js';
