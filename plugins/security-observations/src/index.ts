/**
 * The Security Observations frontend plugin for Backstage: a Security tab on
 * entity pages. This entry point serves apps on the legacy frontend system;
 * `./alpha` serves the new one.
 *
 * @packageDocumentation
 */

export {
  securityObservationsPlugin,
  EntitySecurityContent,
  EntitySecurityCard,
} from './plugin';
export { isSecurityObservationsAvailable } from './isSecurityObservationsAvailable';
export * from './api';
