import { useCallback, useState } from 'react';

interface PagingState {
  queryKey: string;
  /** The cursors that led to each page so far; the first page has none. */
  cursors: (string | undefined)[];
}

const FIRST_PAGE: PagingState['cursors'] = [undefined];

const cursorsFor = (state: PagingState, queryKey: string) =>
  state.queryKey === queryKey ? state.cursors : FIRST_PAGE;

/**
 * Page navigation over a cursor API: a stack of the cursors that led to the
 * current page. Any change of `queryKey` (filters, sort, page size) starts
 * again at the first page.
 */
export function useCursorPaging(queryKey: string) {
  const [state, setState] = useState<PagingState>({
    queryKey,
    cursors: FIRST_PAGE,
  });
  const cursors = cursorsFor(state, queryKey);

  const next = useCallback(
    (nextCursor: string) =>
      setState(previous => ({
        queryKey,
        cursors: [...cursorsFor(previous, queryKey), nextCursor],
      })),
    [queryKey],
  );
  const previous = useCallback(
    () =>
      setState(current => {
        const stack = cursorsFor(current, queryKey);
        return {
          queryKey,
          cursors: stack.length > 1 ? stack.slice(0, -1) : stack,
        };
      }),
    [queryKey],
  );

  return {
    /** The cursor of the current page; undefined on the first. */
    cursor: cursors[cursors.length - 1],
    /** Zero-based. */
    pageIndex: cursors.length - 1,
    next,
    previous,
  };
}
