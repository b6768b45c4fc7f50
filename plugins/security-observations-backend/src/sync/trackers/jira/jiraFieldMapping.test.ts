import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { Observation } from 'backstage-plugin-security-observations-common';
import { mappedFields, readFieldMappings } from './jiraFieldMapping';

const observation = {
  id: 'obs-1',
  entityRef: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  title: 'openssl: heap overflow',
  severity: 'critical',
  status: 'open',
  ruleId: 'CVE-2024-1234',
  vulnerabilityIds: ['GHSA-abcd-efgh-ijkl', 'CVE-2024-1234'],
  cwes: ['CWE-787', 'CWE-120'],
  package: {
    purl: 'pkg:deb/debian/openssl@3.0.2',
    name: 'openssl',
    version: '3.0.2',
    fixedVersion: null,
  },
  location: null,
} as unknown as Observation;

const read = (fields: JsonObject) =>
  readFieldMappings(
    new ConfigReader({ fields }),
    'securityObservations.trackers[2]',
  );

describe('Jira field mapping', () => {
  const mappings = read({
    customfield_10010: { from: 'cve' },
    customfield_10011: {
      from: 'severity',
      as: 'option',
      map: { Critical: 'P1' },
    },
    customfield_10012: { from: 'cwes', as: 'options' },
    customfield_10013: { from: 'vulnerabilityIds', as: 'labels' },
    customfield_10014: { from: 'entityName', as: 'user' },
    customfield_10015: { from: 'fixedVersion' },
    customfield_10016: { value: { id: '10400' } },
    resolution: { value: { name: "Won't Do" }, on: ['close'] },
  });
  const context = (deployment: 'cloud' | 'datacenter') => ({
    observation,
    observationUrl: 'https://backstage.acme.example/x',
    deployment,
  });

  it('writes each field in the shape of its type, and leaves out what has no value', () => {
    expect(mappedFields(mappings, 'create', context('cloud'))).toEqual({
      customfield_10010: 'CVE-2024-1234',
      customfield_10011: { value: 'P1' },
      customfield_10012: [{ value: 'CWE-787' }, { value: 'CWE-120' }],
      customfield_10013: ['GHSA-abcd-efgh-ijkl', 'CVE-2024-1234'],
      customfield_10014: { accountId: 'payments-api' },
      customfield_10016: { id: '10400' },
    });
    expect(
      mappedFields(mappings, 'create', context('datacenter')).customfield_10014,
    ).toEqual({ name: 'payments-api' });
  });

  it('writes constants on create only, and each field only for its operations', () => {
    expect(
      Object.keys(mappedFields(mappings, 'update', context('cloud'))),
    ).toEqual([
      'customfield_10010',
      'customfield_10011',
      'customfield_10012',
      'customfield_10013',
      'customfield_10014',
    ]);
    expect(mappedFields(mappings, 'close', context('cloud'))).toEqual({
      resolution: { name: "Won't Do" },
    });
  });

  it('refuses a mapping that cannot work, naming the key', () => {
    expect(() =>
      read({ customfield_1: { from: 'cve', as: 'select' } }),
    ).toThrow(
      "securityObservations.trackers[2].fields.customfield_1.as: 'select' is not one of string, option, options, labels, array, user, number",
    );
    expect(() =>
      read({ customfield_1: { from: 'cve', on: ['delete'] } }),
    ).toThrow(
      "securityObservations.trackers[2].fields.customfield_1.on: 'delete' is not one of create, update, close, reopen",
    );
  });
});
