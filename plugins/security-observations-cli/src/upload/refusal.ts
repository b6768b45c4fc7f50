import { uploadError } from '../errors';
import { BackendAnswer, statusLine } from './backendAnswer';

export interface RefusalContext {
  /** The import route's URL, without its query. */
  importUrl: string;
  /** The entity ref as sent. */
  entityRef: string;
}

const SIZE_CONFIG = 'securityObservations.imports';

/**
 * The error for an answer that another attempt would not change (4xx other
 * than 429, and redirects): what the backend said, and what to do.
 */
export function describeRefusal(
  answer: BackendAnswer,
  context: RefusalContext,
) {
  const { status, message } = answer;
  const said = `${statusLine(status)}: ${message}`;
  switch (status) {
    case 400:
      return uploadError(
        `The backend refused the report (${said}). The message names what is wrong and where: fix the report or the option it names (--format forces a format when detection picks the wrong one).`,
      );
    case 401:
      return uploadError(
        `The backend refused the token (${said}): SECURITY_OBSERVATIONS_TOKEN must be one of the static tokens in backend.auth.externalAccess of your app-config, allowed security-observations.import.create.`,
      );
    case 403:
      return uploadError(
        `The backend does not allow this token to upload (${said}). The token is known, but its entry in backend.auth.externalAccess restricts it to other permissions: add security-observations.import.create to its accessRestrictions (plugin: security-observations).`,
      );
    case 404:
      if (answer.fromBackstage && message.startsWith('entityRef:')) {
        return uploadError(
          `The backend does not know the entity ${context.entityRef} (${said}). Check --entity (kind:namespace/name, as the entity's catalog page shows it), or register the entity in the catalog first.`,
        );
      }
      return noPluginThere(context, said);
    case 405:
      return noPluginThere(context, said);
    case 413:
      return uploadError(
        `The report is too large for the backend (${said}). ${
          answer.fromBackstage
            ? `The limits are ${SIZE_CONFIG}.maxReportSizeMb (the compressed request, default 50) and ${SIZE_CONFIG}.maxDecompressedSizeMb (the report after decompression, default 250) in the backend's app-config: raise the one the message names.`
            : `The answer did not come from Backstage: a proxy in front of it limits request bodies (nginx: client_max_body_size); raise its limit too. The backend's own limits are ${SIZE_CONFIG}.maxReportSizeMb and maxDecompressedSizeMb.`
        }`,
      );
    case 415:
      return uploadError(
        `The backend refused the report's content type (${said}). This tool sends JSON or XML, gzip-compressed; a proxy that changes Content-Type or Content-Encoding on the way would cause this.`,
      );
    default:
      if (status >= 300 && status < 400) {
        const location = answer.headers.get('location');
        return uploadError(
          `The backend answered ${statusLine(status)}${
            location ? `, a redirect to ${location}` : ', a redirect'
          }: a report cannot follow redirects, so give --url the address the backend is served at (https rather than http?).`,
        );
      }
      return uploadError(`The backend refused the report (${said}).`);
  }
}

function noPluginThere(context: RefusalContext, said: string) {
  return uploadError(
    `Nothing at ${context.importUrl} takes reports (${said}). Is the Security Observations backend plugin installed in this Backstage, and is --url the backend's base URL (the one serving /api/...), not the app's?`,
  );
}
