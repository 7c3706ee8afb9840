import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IRunSummary, IRunsPage, IRunsQuery, RunView } from '../api/types';
import { formatSortClause, ISortClause, parseSortClause } from './keys';
import { PageCache } from './pageCache';
import type { IRunsClient } from '../tokens';

/** Pages a loader walks by token before it seeks by offset instead. */
const FAR_JUMP_PAGES = 2;

/**
 * A search over runs and a sparse cache of its rows, loaded page by page.
 *
 * The server pages by keyset: page `p` is fetched with the token that page `p - 1`
 * returned, so nearby pages are fetched one at a time, in order. A far jump (a scrollbar
 * dragged to row 900,000) instead asks for the page at its row offset, which the server
 * seeks to in its index; its token then leads on by keyset. Tokens outlive a `refresh()`
 * (they encode sort positions, not offsets), which lets a refresh reload the visible pages
 * directly instead of walking from the top again. No DOM here; views listen to `changed`.
 */
export class RunsQuery implements IDisposable {
  /** Create a query; the first page starts loading at once. */
  constructor(options: RunsQuery.IOptions) {
    this._client = options.client;
    this._maxCachedPages = Math.max(2, options.maxCachedPages ?? 50);
    this._firstPageSize = options.firstPageSize ?? 50;
    this._state = {
      experimentIds: [...(options.experimentIds ?? [])],
      filter: options.filter ?? '',
      orderBy: [...(options.orderBy ?? [])],
      view: options.view ?? 'active',
      pageSize: options.pageSize ?? 100
    };
    this._cache = this._newCache();
    this._want(0);
  }

  /** Emitted with what changed: the query itself, loaded rows, or loading/error status. */
  get changed(): ISignal<this, RunsQuery.Change> {
    return this._changed;
  }

  /** The current search. */
  get state(): Readonly<RunsQuery.IState> {
    return this._state;
  }

  /** Experiments searched; empty means every experiment. */
  get experimentIds(): readonly string[] {
    return this._state.experimentIds;
  }

  /** Filter text in the search syntax. */
  get filter(): string {
    return this._state.filter;
  }

  /** `order_by` clauses, e.g. `['metrics.accuracy DESC']`. */
  get orderBy(): readonly string[] {
    return this._state.orderBy;
  }

  /** Active, deleted or all runs. */
  get view(): RunView {
    return this._state.view;
  }

  /** Rows per page. */
  get pageSize(): number {
    return this._state.pageSize;
  }

  /** The primary sort, or null for the server's default (version DESC). */
  get sort(): ISortClause | null {
    const first = this._state.orderBy[0];
    return first ? parseSortClause(first) : null;
  }

  /** Runs matching the query (from the latest page received). */
  get total(): number {
    return this._total;
  }

  /** Whether `total` is "at least" (the MLflow back end counts only what it has read). */
  get totalIsLowerBound(): boolean {
    return this._totalIsLowerBound;
  }

  /** Whether a page of the current query has arrived (`total` is then exact). */
  get ready(): boolean {
    return this._ready;
  }

  /** Whether a page request is under way. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last error, or null. */
  get error(): RunsQuery.IError | null {
    return this._error;
  }

  /** Whether the query is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The run at `index`, or undefined; requests its page when it is missing or stale. */
  getRow(index: number): IRunSummary | undefined {
    const page = this._cache.pageOf(index);
    if (!this._cache.isFresh(page)) {
      this._want(page);
    }
    return this.peekRow(index);
  }

  /** The run at `index` if it is cached (possibly stale), without loading anything. */
  peekRow(index: number): IRunSummary | undefined {
    return this._cache.peek(index);
  }

  /** Whether the row at `index` is cached and up to date. */
  isLoaded(index: number): boolean {
    return this._cache.isFresh(this._cache.pageOf(index));
  }

  /** Every cached row with its index, in index order. */
  loadedRows(): Array<[number, IRunSummary]> {
    return this._cache.rows();
  }

  /**
   * Declare the rows a view shows (`end` exclusive) and load their pages; pages wanted for
   * an earlier range are dropped, so a view that moved on stops a long walk of tokens.
   * Resolves when nothing is left to load (or a request failed).
   */
  requestRange(start: number, end: number): Promise<void> {
    this._visible = [Math.max(0, start), Math.max(start, end)];
    const last = Math.max(this._visible[0], this._visible[1] - 1);
    const firstPageWanted = this._wanted.has(0);
    this._wanted.clear();
    if (firstPageWanted) {
      this._wanted.add(0); // the total comes with it
    }
    const cache = this._cache;
    for (let page = cache.pageOf(start); page <= cache.pageOf(last); page++) {
      if (!cache.isFresh(page)) {
        this._wanted.add(page);
      }
    }
    return this._schedule();
  }

  /** Change any part of the search; the cache is dropped and the first page reloaded. */
  setQuery(change: Partial<RunsQuery.IState>): void {
    const next: RunsQuery.IState = {
      ...this._state,
      ...change,
      experimentIds: [...(change.experimentIds ?? this._state.experimentIds)],
      orderBy: [...(change.orderBy ?? this._state.orderBy)]
    };
    if (JSON.stringify(next) === JSON.stringify(this._state)) {
      return;
    }
    this._state = next;
    this._generation++;
    this._cache = this._newCache();
    this._wanted.clear();
    this._ready = false;
    this._error = null;
    this._visible = [0, 0];
    this._changed.emit('query');
    this._want(0);
  }

  /**
   * Sort by an expression, `firstDescending` the first time (e.g. a metric where higher is
   * better); the same expression again flips the direction.
   */
  toggleSort(expression: string, firstDescending = false): void {
    const current = this.sort;
    const descending =
      current?.expression === expression
        ? !current.descending
        : firstDescending;
    this.setQuery({ orderBy: [formatSortClause({ expression, descending })] });
  }

  /**
   * Reload what is shown without moving: the first page (for the total) and the pages of
   * the last requested range, reusing their tokens. Cached rows stay visible until replaced.
   */
  refresh(): Promise<void> {
    this._generation++;
    this._error = null;
    this._cache.markStale();
    this._wanted.add(0);
    return this.requestRange(...this._visible);
  }

  /** Whether changes to these experiments can change the result. */
  affectedBy(experimentIds: ReadonlySet<string>): boolean {
    const ids = this._state.experimentIds;
    return ids.length === 0 || ids.some(id => experimentIds.has(id));
  }

  /** The REST query for the current search (without page token). */
  toQuery(): IRunsQuery {
    const { experimentIds, filter, orderBy, view, pageSize } = this._state;
    return {
      experimentIds: [...experimentIds],
      filter,
      orderBy: [...orderBy],
      view,
      maxResults: pageSize
    };
  }

  /** Stop loading and release listeners; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._generation++;
    this._cache = this._newCache();
    this._wanted.clear();
    Signal.clearData(this);
  }

  private _newCache(): PageCache {
    return new PageCache({
      pageSize: this._state.pageSize,
      firstPageSize: this._firstPageSize,
      maxPages: this._maxCachedPages
    });
  }

  private _want(page: number): void {
    this._wanted.add(page);
    void this._schedule();
  }

  /** Start the loader of the current generation unless it runs already. */
  private _schedule(): Promise<void> {
    if (this._isDisposed || this._error) {
      return Promise.resolve();
    }
    if (this._pump?.generation !== this._generation) {
      const generation = this._generation;
      const pump = { generation, promise: this._load(generation) };
      this._pump = pump;
      void pump.promise.then(() => {
        if (this._pump === pump) {
          this._pump = null;
        }
      });
    }
    return this._pump.promise;
  }

  /** Fetch wanted pages one at a time until none is left; drop replies of older generations. */
  private async _load(generation: number): Promise<void> {
    // Let the caller finish queueing wants before the first request goes out.
    await Promise.resolve();
    const stale = () => generation !== this._generation || this._isDisposed;
    let page = this._nextPage();
    if (page === null || stale()) {
      return;
    }
    this._setLoading(true);
    try {
      while (page !== null) {
        const { index, seek } = page;
        const reply = await this._client.searchRunSummaries({
          ...this.toQuery(),
          maxResults: this._cache.sizeOf(index),
          ...(seek
            ? { offset: this._cache.startOf(index) }
            : { pageToken: this._cache.token(index) })
        });
        if (stale()) {
          return;
        }
        this._store(index, reply);
        this._changed.emit('rows');
        page = this._nextPage();
      }
    } catch (reason) {
      if (stale()) {
        return;
      }
      this._error = RunsQuery.parseError(reason);
    } finally {
      if (!stale()) {
        this._setLoading(false);
      }
    }
  }

  /**
   * The page to fetch next: the first wanted one, by its offset (`seek`) when more than
   * `FAR_JUMP_PAGES` pages lie between it and the nearest known token, else the last page
   * reachable by token before it.
   */
  private _nextPage(): { index: number; seek: boolean } | null {
    const cache = this._cache;
    const wanted = [...this._wanted].sort((a, b) => a - b);
    for (const page of wanted) {
      const beyondEnd =
        (cache.lastPage !== null && page > cache.lastPage) ||
        (this._ready && page > 0 && cache.startOf(page) >= this._total);
      if (cache.isFresh(page) || beyondEnd) {
        this._wanted.delete(page);
        continue;
      }
      const reachable = cache.reachable(page);
      if (this._ready && page - reachable > FAR_JUMP_PAGES) {
        return { index: page, seek: true };
      }
      return { index: reachable, seek: false };
    }
    return null;
  }

  private _store(page: number, reply: IRunsPage<IRunSummary>): void {
    const center = (this._visible[0] + this._visible[1]) / 2;
    this._cache.store(page, reply, this._cache.pageOf(center));
    // Fetched once per request: even if evicted, it is not fetched again in a loop.
    this._wanted.delete(page);
    this._total = reply.total;
    this._totalIsLowerBound = reply.total_is_lower_bound ?? false;
    this._ready = true;
  }

  private _setLoading(loading: boolean): void {
    if (loading !== this._loading) {
      this._loading = loading;
      this._changed.emit('status');
    } else if (!loading && this._error) {
      this._changed.emit('status');
    }
  }

  private _client: IRunsClient;
  private _state: RunsQuery.IState;
  private _maxCachedPages: number;
  private _firstPageSize: number;
  private _cache: PageCache;
  private _wanted = new Set<number>();
  private _visible: [number, number] = [0, 0];
  private _total = 0;
  private _totalIsLowerBound = false;
  private _ready = false;
  private _loading = false;
  private _error: RunsQuery.IError | null = null;
  private _generation = 0;
  private _pump: { generation: number; promise: Promise<void> } | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, RunsQuery.Change>(this);
}

/** A namespace for RunsQuery statics. */
/** A run count for people: `1,234`, or `≥ 1,234` when the server could only bound it. */
export function formatTotal(total: number, lowerBound: boolean): string {
  return (lowerBound ? '≥ ' : '') + total.toLocaleString();
}

export namespace RunsQuery {
  /** What a search is made of. */
  export interface IState {
    /** Experiments searched; empty means every experiment. */
    experimentIds: string[];
    /** Filter text in the search syntax. */
    filter: string;
    /** `order_by` clauses; empty means version DESC. */
    orderBy: string[];
    /** Active, deleted or all runs. */
    view: RunView;
    /** Rows per page. */
    pageSize: number;
  }

  /** Options of the query. */
  export interface IOptions extends Partial<IState> {
    /** REST client. */
    client: IRunsClient;
    /** Pages kept in memory at most (default 50). */
    maxCachedPages?: number;
    /** Rows of the first page, fewer than `pageSize` to show a first screen sooner (default 50). */
    firstPageSize?: number;
  }

  /** `query`: the search changed (rows dropped); `rows`: a page arrived; `status`: loading or error. */
  export type Change = 'query' | 'rows' | 'status';

  /** A failed request, with where the filter is wrong when the server says so. */
  export interface IError {
    /** The server's message. */
    message: string;
    /** 0-based position in the filter text, when the message names one. */
    position: number | null;
  }

  /** The error shown for a rejected request. */
  export function parseError(reason: unknown): IError {
    const message = reason instanceof Error ? reason.message : String(reason);
    const match = /at position (\d+)/.exec(message);
    return { message, position: match ? Number(match[1]) : null };
  }
}
