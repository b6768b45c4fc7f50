import { storageApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback, useMemo } from 'react';
import useObservable from 'react-use/esm/useObservable';

const BUCKET = 'security-observations';
const KEY = 'observationTableColumns';

/** Columns a person showed or hid, by column id: `true` for hidden. */
type ColumnChoices = Record<string, boolean>;

/** What was stored, if it is column choices; anything else is ignored. */
function choicesOf(value: unknown): ColumnChoices {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, hidden]) => typeof hidden === 'boolean'),
  );
}

/**
 * Which of the observations table's columns show, as the person chose in
 * its column chooser, remembered in Backstage's storage (the browser's
 * local storage, or the user settings backend where an app has it).
 * Columns without a choice follow `defaultHidden`, so a column added in a
 * later version appears as its default says.
 */
export function useColumnVisibility(defaultHidden: readonly string[]) {
  const storageApi = useApi(storageApiRef);
  const storage = useMemo(() => storageApi.forBucket(BUCKET), [storageApi]);
  const choices$ = useMemo(
    () => storage.observe$<ColumnChoices>(KEY),
    [storage],
  );
  const snapshot = useObservable(
    choices$,
    storage.snapshot<ColumnChoices>(KEY),
  );
  const choices = useMemo(() => choicesOf(snapshot.value), [snapshot.value]);

  const isHidden = useCallback(
    (column: string) => choices[column] ?? defaultHidden.includes(column),
    [choices, defaultHidden],
  );
  const setHidden = useCallback(
    (column: string, hidden: boolean) =>
      storage.set<ColumnChoices>(KEY, { ...choices, [column]: hidden }),
    [storage, choices],
  );
  return { isHidden, setHidden };
}
