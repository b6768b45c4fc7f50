export * from './SecurityObservationsApi';
export * from './SecurityObservationsClient';
