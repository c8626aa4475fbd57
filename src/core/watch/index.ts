// Watching resources over time: the watch, its plottable fields and bounded series, and what views need.
export { ResourceWatch, watchToCsv, DEFAULT_POLL_INTERVAL_MS, type WatchEnd, type WatchMode, type WatchSample } from './resource-watch.js';
export { RowBatcher, watchRows, sampleRow, gapRow, summarizeLatest, type WatchRow } from './watch-feed.js';
export { expandTemplate, templateVariables } from './template.js';
