/**
 * Types, HTTP API schemas, permissions and annotation names shared by the
 * Security Observations frontend and backend plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './domain';
export * from './permissions';
export * from './api/health';
export * from './api/imports';
export * from './api/observations';
export * from './api/assessments';
export * from './api/trend';
export * from './api/reconcile';
export * from './api/deletions';
