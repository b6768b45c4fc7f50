import { SecurityObservationsApi } from '../api';
import {
  minimistComments,
  minimistEvents,
  notPlannedComments,
  notPlannedEvents,
  notPlannedObservation,
  observations,
  paymentsTrend,
  trackerStateObservations,
} from './observations';
import { trackedSummary } from './summaries';

/**
 * A jest-mocked API answering with the payments-api fixtures; override any
 * method per test.
 */
export function mockSecurityObservationsApi(
  overrides: Partial<SecurityObservationsApi> = {},
): jest.Mocked<SecurityObservationsApi> {
  const api: SecurityObservationsApi = {
    getSummary: async () => trackedSummary,
    listObservations: async () => ({
      items: observations,
      totalCount: observations.length,
    }),
    getObservation: async id => {
      const found = [...observations, ...trackerStateObservations].find(
        observation => observation.id === id,
      );
      if (!found) throw new Error(`No observation ${id}`);
      return found;
    },
    // The ws observation has its own history and comments; every other
    // observation answers with the minimist ones.
    getObservationEvents: async id =>
      id === notPlannedObservation.id ? notPlannedEvents : minimistEvents,
    getObservationComments: async id =>
      id === notPlannedObservation.id ? notPlannedComments : minimistComments,
    assess: async id => ({
      state: 'applied',
      items: [{ observationId: id, changes: {} }],
    }),
    assessMany: async request => ({
      state: 'applied',
      items: request.observationIds.map(observationId => ({
        observationId,
        changes: {},
      })),
    }),
    deleteObservation: async () => {},
    deleteObservations: async request => ({
      deleted: request.observationIds.length,
      issuesToClose: 0,
    }),
    addComment: async (id, body) => ({
      id: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a',
      observationId: id,
      author: 'user:default/jane.doe',
      origin: 'backstage',
      body,
      createdAt: '2026-11-20T10:00:00.000Z',
    }),
    getTrend: async () => paymentsTrend,
    syncEntity: async () => ({ queued: 4 }),
    ...overrides,
  };
  for (const name of Object.keys(api) as (keyof SecurityObservationsApi)[]) {
    (api as any)[name] = jest.fn(api[name] as (...args: any[]) => any);
  }
  return api as jest.Mocked<SecurityObservationsApi>;
}
