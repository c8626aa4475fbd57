// A virtualized list of fixed-height rows: only the rows in (and just around) the viewport exist in the DOM,
// so 100,000 events scroll like 50. The window arithmetic is pure and unit-tested; the class owns the DOM.

export interface RowWindow {
  /** First row index to render (inclusive). */
  start: number;
  /** Last row index to render (exclusive). */
  end: number;
}

/** Which rows to render for a scroll position, with `overscan` extra rows above and below. */
export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 8): RowWindow {
  if (count <= 0 || rowHeight <= 0 || viewportHeight <= 0) return { start: 0, end: Math.min(count, Math.max(0, overscan)) };
  const maxTop = Math.max(0, count * rowHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + visible + overscan) };
}

/** The scrollTop that shows row `index` (fully), moving as little as possible; undefined when already visible. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | undefined {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return undefined;
}

/** Whether the list is scrolled to (within a row of) the bottom: then new rows keep it there. */
export function isAtBottom(scrollTop: number, viewportHeight: number, scrollHeight: number, rowHeight: number): boolean {
  return scrollHeight - (scrollTop + viewportHeight) <= rowHeight;
}

export interface VirtualListOptions {
  rowHeight: number;
  /** Fills a row element (reused between items) for item `index`. */
  renderRow(row: HTMLElement, index: number): void;
  /** The CSS class given to row elements. */
  rowClass: string;
}

export class VirtualList {
  readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  private follow = true;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions) {
    this.viewport = document.createElement('div');
    this.viewport.className = 'vlist';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'list');
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.viewport.appendChild(this.spacer);
    this.viewport.addEventListener('scroll', () => {
      this.follow = isAtBottom(this.viewport.scrollTop, this.viewport.clientHeight, this.viewport.scrollHeight, this.options.rowHeight);
      this.schedule();
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Sets the number of items; when following the end, scrolls to the new last row. */
  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${count * this.options.rowHeight}px`;
    if (this.follow) this.viewport.scrollTop = this.viewport.scrollHeight;
    this.schedule();
  }

  /** Re-renders the visible rows (contents changed, e.g. selection). */
  refresh(): void {
    this.schedule();
  }

  reveal(index: number): void {
    const top = scrollToReveal(index, this.viewport.scrollTop, this.viewport.clientHeight, this.options.rowHeight);
    if (top !== undefined) this.viewport.scrollTop = top;
  }

  scrollToEnd(): void {
    this.follow = true;
    this.viewport.scrollTop = this.viewport.scrollHeight;
    this.schedule();
  }

  /** Rendering waits for the next animation frame, so a burst of updates costs one render. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { rowHeight } = this.options;
    const { start, end } = visibleWindow(this.viewport.scrollTop, this.viewport.clientHeight, rowHeight, this.count);
    const needed = end - start;
    while (this.pool.length < needed) {
      const row = document.createElement('div');
      row.className = this.options.rowClass;
      row.setAttribute('role', 'listitem');
      this.viewport.appendChild(row);
      this.pool.push(row);
    }
    this.pool.forEach((row, i) => {
      if (i >= needed) {
        row.hidden = true;
        return;
      }
      const index = start + i;
      row.hidden = false;
      row.style.transform = `translateY(${index * rowHeight}px)`;
      row.dataset.index = String(index);
      this.options.renderRow(row, index);
    });
  }
}
