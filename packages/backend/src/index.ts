/*
 * The example Backstage backend that the README starts: the catalog with the
 * example entities, guest sign-in, permissions, notifications and the
 * Security Observations backend plugin.
 */

import { createBackend } from '@backstage/backend-defaults';
import { securityObservationsEventsModule } from 'backstage-plugin-security-observations-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: guest sign-in for the example
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog, with the entities in examples/
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// Owners assess their entities' observations, everyone signed in reads:
// see modules/permissionPolicy.ts.
backend.add(import('./modules/permissionPolicy'));

// search over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals: the tracker sync reports persistent failures here
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// events: the tracker webhooks of the two-way sync come in here, checked by
// the Security Observations module (per-tracker secrets, replays refused)
backend.add(import('@backstage/plugin-events-backend'));
backend.add(securityObservationsEventsModule);

backend.add(import('backstage-plugin-security-observations-backend'));
// Example only: imports the reports in examples/reports at start-up.
backend.add(import('./modules/securityObservationsDemoData'));

backend.start();
