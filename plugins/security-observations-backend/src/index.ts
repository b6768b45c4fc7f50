/**
 * The Security Observations backend plugin for Backstage.
 *
 * @packageDocumentation
 */

export { securityObservationsPlugin as default } from './plugin';
