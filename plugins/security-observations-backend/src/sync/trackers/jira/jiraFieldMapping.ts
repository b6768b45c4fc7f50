import { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  Observation,
  SEVERITY_LABELS,
} from 'backstage-plugin-security-observations-common';
import { jiraSafeLabel } from './jiraLabels';

/** Observation facts a Jira field can be filled from. */
export const FIELD_SOURCES = {
  cve: o => o.vulnerabilityIds.filter(id => /^CVE-/i.test(id)).slice(0, 1),
  vulnerabilityIds: o => o.vulnerabilityIds,
  cwe: o => o.cwes.slice(0, 1),
  cwes: o => o.cwes,
  severity: o => [SEVERITY_LABELS[o.severity]],
  status: o => [o.status],
  scanner: o => [o.scanner],
  ruleId: o => (o.ruleId ? [o.ruleId] : []),
  package: o => (o.package?.name ? [o.package.name] : []),
  packageVersion: o => (o.package?.version ? [o.package.version] : []),
  fixedVersion: o => (o.package?.fixedVersion ? [o.package.fixedVersion] : []),
  purl: o => (o.package?.purl ? [o.package.purl] : []),
  file: o => (o.location?.file ? [o.location.file] : []),
  branch: o => [o.branch],
  entity: o => [o.entityRef],
  entityName: o => [parseEntityRef(o.entityRef).name],
  title: o => [o.title],
} satisfies Record<string, (observation: Observation) => string[]>;

export type FieldSource = keyof typeof FIELD_SOURCES | 'observationUrl';

/**
 * How a value goes into a Jira field, by the field's type: a text field
 * takes a string, a select list `{value}`, a multi-select or checkboxes
 * `[{value}]`, a labels field strings without spaces, a user picker the
 * user (Cloud: `{accountId}`, Data Center: `{name}`), a number a number.
 */
export type FieldShape =
  | 'string'
  | 'option'
  | 'options'
  | 'labels'
  | 'array'
  | 'user'
  | 'number';

/** When a mapped field is written. */
export type FieldOperation = 'create' | 'update' | 'close' | 'reopen';

/** One entry of the tracker's `fields`: a Jira field filled from the observation or a constant. */
export interface FieldMapping {
  field: string;
  from?: FieldSource;
  as: FieldShape;
  /** Values renamed before they are written, e.g. severity High → P2. */
  map: Record<string, string>;
  /** A constant, written as given (e.g. `{ accountId: '...' }`). */
  value?: unknown;
  on: FieldOperation[];
}

const SHAPES: FieldShape[] = [
  'string',
  'option',
  'options',
  'labels',
  'array',
  'user',
  'number',
];
const OPERATIONS: FieldOperation[] = ['create', 'update', 'close', 'reopen'];
const SOURCES = [...Object.keys(FIELD_SOURCES), 'observationUrl'];

/**
 * Reads `fields` of a Jira tracker: a map from a Jira field id (or
 * `resolution`) to `{ from, as, map, on }` or `{ value, on }`. Mistakes stop
 * the backend at start-up with the key to fix.
 */
export function readFieldMappings(entry: Config, at: string): FieldMapping[] {
  const fields = entry.getOptionalConfig('fields');
  if (!fields) return [];
  return fields.keys().map(field => {
    const where = `${at}.fields.${field}`;
    const mapping = fields.getConfig(field);
    const from = mapping.getOptionalString('from');
    const value = mapping.getOptional('value');
    if ((from === undefined) === (value === undefined)) {
      throw new Error(`${where}: set either from or value`);
    }
    if (from !== undefined && !SOURCES.includes(from)) {
      throw new Error(
        `${where}.from: '${from}' is not one of ${SOURCES.join(', ')}`,
      );
    }
    const as = (mapping.getOptionalString('as') ?? 'string') as FieldShape;
    if (!SHAPES.includes(as)) {
      throw new Error(
        `${where}.as: '${as}' is not one of ${SHAPES.join(', ')}`,
      );
    }
    const on = (mapping.getOptionalStringArray('on') ??
      (from !== undefined
        ? ['create', 'update']
        : ['create'])) as FieldOperation[];
    const wrong = on.find(operation => !OPERATIONS.includes(operation));
    if (wrong) {
      throw new Error(
        `${where}.on: '${wrong}' is not one of ${OPERATIONS.join(', ')}`,
      );
    }
    const map = mapping.getOptionalConfig('map');
    return {
      field,
      ...(from !== undefined ? { from: from as FieldSource } : { value }),
      as,
      map: Object.fromEntries(
        (map?.keys() ?? []).map(key => [key, map!.getString(key)]),
      ),
      on,
    };
  });
}

/** The facts of one mapping for an observation, renamed by its `map`. */
function sourceValues(
  mapping: FieldMapping,
  observation: Observation,
  observationUrl: string,
): string[] {
  const values =
    mapping.from === 'observationUrl'
      ? [observationUrl]
      : FIELD_SOURCES[mapping.from!](observation);
  return values.map(value => mapping.map[value] ?? value);
}

/** A value in the form the field's type takes; undefined when there is none. */
function shaped(
  values: string[],
  as: FieldShape,
  deployment: 'cloud' | 'datacenter',
): unknown {
  if (values.length === 0) return undefined;
  switch (as) {
    case 'option':
      return { value: values[0] };
    case 'options':
      return values.map(value => ({ value }));
    case 'labels':
      return values.map(jiraSafeLabel);
    case 'array':
      return values;
    case 'user':
      return deployment === 'cloud'
        ? { accountId: values[0] }
        : { name: values[0] };
    case 'number': {
      const number = Number(values[0]);
      return Number.isFinite(number) ? number : undefined;
    }
    default:
      return values.join(', ');
  }
}

/**
 * The Jira fields the mappings write for an operation, for this
 * observation; mappings without a value for it (no CVE, say) are left out.
 */
export function mappedFields(
  mappings: FieldMapping[],
  operation: FieldOperation,
  context: {
    observation: Observation;
    observationUrl: string;
    deployment: 'cloud' | 'datacenter';
  },
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const mapping of mappings) {
    if (!mapping.on.includes(operation)) continue;
    const value =
      mapping.from === undefined
        ? mapping.value
        : shaped(
            sourceValues(mapping, context.observation, context.observationUrl),
            mapping.as,
            context.deployment,
          );
    if (value !== undefined) fields[mapping.field] = value;
  }
  return fields;
}
