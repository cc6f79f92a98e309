import {
  QueryClient,
  type InvalidateOptions,
  type InvalidateQueryFilters,
  type QueryKey,
} from '@tanstack/react-query';

/**
 * The app's query client. An invalidation after a write must fetch again: React Query hands it
 * the fetch already in flight when the query has no data yet (query-core cancels a running fetch
 * only once the query holds data), and that first load may have read the database before the
 * write committed. A contact policy saved right after the Policies tab opened then stayed missing
 * from the list under it. So a query still on its first load is cancelled before the
 * invalidation, which then starts a fresh fetch.
 */
export class AppQueryClient extends QueryClient {
  override async invalidateQueries<TTaggedQueryKey extends QueryKey = QueryKey>(
    filters?: InvalidateQueryFilters<TTaggedQueryKey>,
    options?: InvalidateOptions,
  ): Promise<void> {
    const firstLoads = this.getQueryCache()
      .findAll(filters)
      .filter((query) => query.state.data === undefined && query.state.fetchStatus === 'fetching');
    await Promise.all(firstLoads.map((query) => query.cancel()));
    return super.invalidateQueries(filters, options);
  }
}
