/**
 * The Security Observations backend plugin for Backstage.
 *
 * @packageDocumentation
 */

export { securityObservationsPlugin as default } from './plugin';
export { securityObservationsEventsModule } from './twoWay/events/securityObservationsEventsModule';
