import { ReportParseError } from './ReportParseError';

/**
 * Small typed readers over untrusted JSON that fail with the JSON path of the
 * offending value. Parsers use them instead of casting, so a broken report
 * gets a message that says where it broke.
 */
export class JsonReader {
  constructor(
    private readonly formatLabel: string,
    readonly value: unknown,
    readonly path: string = '',
  ) {}

  private fail(problem: string): never {
    throw new ReportParseError(this.formatLabel, this.path, problem);
  }

  private child(key: string | number, value: unknown): JsonReader {
    let path: string;
    if (typeof key === 'number') {
      path = `${this.path}[${key}]`;
    } else {
      path = this.path ? `${this.path}.${key}` : key;
    }
    return new JsonReader(this.formatLabel, value, path);
  }

  isObject(): boolean {
    return (
      typeof this.value === 'object' &&
      this.value !== null &&
      !Array.isArray(this.value)
    );
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

  /** Items of a required array. */
  array(): JsonReader[] {
    if (!Array.isArray(this.value)) {
      this.fail('expected an array');
    }
    return this.value.map((item, index) => this.child(index, item));
  }

  /** Items of an optional array: missing or null is empty. */
  optionalArray(): JsonReader[] {
    return this.isMissing() ? [] : this.array();
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
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}
