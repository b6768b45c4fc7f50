import { AuditorService } from '@backstage/backend-plugin-api';
import { Request } from 'express';
import { JsonObject } from '@backstage/types';

/**
 * Runs a change under a Backstage audit event: success with what changed,
 * or failure with the error, which is then rethrown.
 */
export async function auditedAction<T>(
  auditor: AuditorService,
  options: { eventId: string; request: Request; meta: JsonObject },
  action: () => Promise<T>,
  describe: (result: T) => JsonObject,
): Promise<T> {
  const event = await auditor.createEvent({
    eventId: options.eventId,
    severityLevel: 'medium',
    request: options.request,
    meta: options.meta,
  });
  try {
    const result = await action();
    await event.success({ meta: describe(result) });
    return result;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}
