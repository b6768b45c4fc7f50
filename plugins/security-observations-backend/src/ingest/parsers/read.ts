import { LazyJsonArray } from '../json/LazyJsonArray';
import { ReportParseError } from './ReportParseError';

/**
 * Small typed readers over untrusted JSON that fail with the JSON path of the
 * offending value. Parsers use them instead of casting, so a broken report
 * gets a message that says where it broke.
 */
export class JsonReader {
  /**
   * @param parent - the reader this one was reached from, and `key` the
   *   step from it: the path is only spelled out when something fails, not
   *   for each of the millions of values a large report has.
   */
  constructor(
    private readonly formatLabel: string,
    readonly value: unknown,
    private readonly base: string = '',
    private readonly parent?: JsonReader,
    private readonly key?: string | number,
  ) {}

  /** The JSON path of the value, e.g. `runs[0].results[3].locations`. */
  get path(): string {
    if (!this.parent) return this.base;
    const parentPath = this.parent.path;
    if (typeof this.key === 'number') return `${parentPath}[${this.key}]`;
    return parentPath ? `${parentPath}.${this.key}` : String(this.key);
  }

  private fail(problem: string): never {
    throw new ReportParseError(this.formatLabel, this.path, problem);
  }

  private child(key: string | number, value: unknown): JsonReader {
    return new JsonReader(this.formatLabel, value, '', this, key);
  }

  isObject(): boolean {
    return isRecord(this.value);
  }

  /** The property, which may be missing (its reader then holds `undefined`). */
  get(key: string): JsonReader {
    if (!this.isObject()) {
      this.fail('expected an object');
    }
    return this.child(key, (this.value as Record<string, unknown>)[key]);
  }

  has(key: string): boolean {
    return this.isObject() && (this.value as any)[key] !== undefined;
  }

  isMissing(): boolean {
    return this.value === undefined || this.value === null;
  }

  /** Items of a required array, all at once. */
  array(): JsonReader[] {
    const value = this.value;
    if (Array.isArray(value)) {
      return value.map((item, index) => this.child(index, item));
    }
    if (value instanceof LazyJsonArray) {
      return Array.from(this.lazyItems(value));
    }
    return this.fail('expected an array');
  }

  /** Items of an optional array: missing or null is empty. */
  optionalArray(): JsonReader[] {
    return this.isMissing() ? [] : this.array();
  }

  /**
   * Items of a required array, one at a time. Where the report is large
   * (`LazyJsonArray`), each item is parsed only when reached and can be
   * freed after it, so parsers walk the findings arrays with this.
   */
  items(): IterableIterator<JsonReader> {
    const value = this.value;
    if (!(value instanceof LazyJsonArray)) {
      return this.array()[Symbol.iterator]();
    }
    return this.lazyItems(value);
  }

  private *lazyItems(value: LazyJsonArray): IterableIterator<JsonReader> {
    for (let index = 0; index < value.length; index++) {
      yield this.child(index, value.at(index));
    }
  }

  /** `items()` of an optional array: missing or null is empty. */
  optionalItems(): IterableIterator<JsonReader> {
    return this.isMissing() ? [][Symbol.iterator]() : this.items();
  }

  /** The length of an optional array (0 when missing), without reading it. */
  optionalLength(): number {
    if (this.isMissing()) return 0;
    const value = this.value;
    if (!Array.isArray(value) && !(value instanceof LazyJsonArray)) {
      this.fail('expected an array');
    }
    return value.length;
  }

  string(): string {
    if (typeof this.value !== 'string') {
      this.fail('expected a string');
    }
    return this.value;
  }

  optionalString(): string | undefined {
    return this.isMissing() ? undefined : this.string();
  }

  /** A required string, trimmed, that must not be empty or blank. */
  nonBlankString(): string {
    const value = this.string().trim();
    if (value === '') {
      this.fail('expected a non-empty string');
    }
    return value;
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) {
      this.fail('expected a number');
    }
    return this.value;
  }

  optionalNumber(): number | undefined {
    return this.isMissing() ? undefined : this.number();
  }

  /** A number or a numeric string, as some scanners write scores. */
  optionalNumeric(): number | undefined {
    if (this.isMissing()) return undefined;
    if (typeof this.value === 'string' && this.value.trim() !== '') {
      const parsed = Number(this.value);
      if (Number.isFinite(parsed)) return parsed;
    }
    return this.number();
  }

  /** Object entries of a required object. */
  entries(): [string, JsonReader][] {
    if (!this.isObject()) {
      this.fail('expected an object');
    }
    return Object.entries(this.value as Record<string, unknown>).map(
      ([key, value]) => [key, this.child(key, value)],
    );
  }
}

/** A plain JSON object: not null and not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof LazyJsonArray)
  );
}

/**
 * The reader at `keys` below `reader`, holding `undefined` as soon as one
 * level is missing; a level that is present but not an object is an error.
 */
export function optionalPath(
  reader: JsonReader,
  ...keys: string[]
): JsonReader {
  let current = reader;
  for (const key of keys) {
    if (current.isMissing()) return current;
    current = current.get(key);
  }
  return current;
}

/** An optional string, trimmed, with empty and blank values treated as missing. */
export function optionalText(reader: JsonReader): string | undefined {
  const value = reader.optionalString()?.trim();
  return value ? value : undefined;
}

/** An optional array of strings, trimmed, without the empty ones. */
export function nonEmptyStrings(reader: JsonReader): string[] {
  return reader
    .optionalArray()
    .map(item => item.string().trim())
    .filter(item => item !== '');
}

/** The items without repeats, in first-seen order. */
export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** The object without its undefined properties; undefined when none is left. */
export function compact<T extends object>(value: T): T | undefined {
  // A plain loop: parsers call this for every finding of large reports.
  let result: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) {
      result ??= {};
      result[key] = item;
    }
  }
  return result as T | undefined;
}
