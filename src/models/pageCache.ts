import { IRunSummary, IRunsPage } from '../api/types';

/**
 * The pages of one search held in memory, with the keyset tokens that lead to them.
 *
 * Page 0 is smaller than the others (`firstPageSize`) so that a first screen arrives
 * sooner; every later page holds `pageSize` rows. Page `p` is fetched with the token page
 * `p - 1` returned (or, far from any known token, at its row offset), so tokens are kept
 * even when their pages are evicted.
 */
export class PageCache {
  /** Create an empty cache. */
  constructor(options: {
    pageSize: number;
    firstPageSize: number;
    maxPages: number;
  }) {
    this._pageSize = options.pageSize;
    this._firstPageSize = Math.min(options.firstPageSize, options.pageSize);
    this._maxPages = Math.max(2, options.maxPages);
  }

  /** Index of the last page, once a reply said there is no next one. */
  get lastPage(): number | null {
    return this._lastPage;
  }

  /** Rows in a page. */
  sizeOf(page: number): number {
    return page === 0 ? this._firstPageSize : this._pageSize;
  }

  /** Index of the first row of a page. */
  startOf(page: number): number {
    return page === 0 ? 0 : this._firstPageSize + (page - 1) * this._pageSize;
  }

  /** The page holding row `index`. */
  pageOf(index: number): number {
    const first = this._firstPageSize;
    return index < first ? 0 : 1 + Math.floor((index - first) / this._pageSize);
  }

  /** Whether a page is cached and up to date. */
  isFresh(page: number): boolean {
    const cached = this._pages.get(page);
    return !!cached && !cached.stale;
  }

  /** The run at `index` if its page is cached (possibly stale). */
  peek(index: number): IRunSummary | undefined {
    const page = this.pageOf(index);
    return this._pages.get(page)?.runs[index - this.startOf(page)];
  }

  /** Every cached row with its index, in index order. */
  rows(): Array<[number, IRunSummary]> {
    const rows: Array<[number, IRunSummary]> = [];
    const pages = [...this._pages.keys()].sort((a, b) => a - b);
    for (const page of pages) {
      const start = this.startOf(page);
      this._pages.get(page)!.runs.forEach((run, offset) => {
        rows.push([start + offset, run]);
      });
    }
    return rows;
  }

  /** The token that fetches a page (null for the first), or undefined when not known yet. */
  token(page: number): string | null | undefined {
    return page === 0 ? null : this._tokens.get(page);
  }

  /** The nearest page at or before `page` whose token is known. */
  reachable(page: number): number {
    let reachable = page;
    while (reachable > 0 && !this._tokens.has(reachable)) {
      reachable--;
    }
    return reachable;
  }

  /** Keep a reply; evict the pages farthest from `center` beyond the limit (never `page`). */
  store(page: number, reply: IRunsPage<IRunSummary>, center: number): void {
    this._pages.set(page, { runs: reply.runs, stale: false });
    if (reply.next_page_token) {
      this._tokens.set(page + 1, reply.next_page_token);
    } else {
      this._lastPage = page;
      for (const later of [...this._tokens.keys()]) {
        if (later > page) {
          this._tokens.delete(later);
        }
      }
    }
    const excess = this._pages.size - this._maxPages;
    if (excess > 0) {
      const farthest = [...this._pages.keys()]
        .filter(cached => cached !== page)
        .sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
      farthest.slice(0, excess).forEach(evicted => this._pages.delete(evicted));
    }
  }

  /**
   * Mark every page stale (shown until replaced) and forget where the end is. Tokens stay:
   * they encode sort positions, not offsets, so they still lead to the same rows.
   */
  markStale(): void {
    for (const cached of this._pages.values()) {
      cached.stale = true;
    }
    this._lastPage = null;
  }

  private _pageSize: number;
  private _firstPageSize: number;
  private _maxPages: number;
  private _pages = new Map<number, { runs: IRunSummary[]; stale: boolean }>();
  private _tokens = new Map<number, string>();
  private _lastPage: number | null = null;
}
