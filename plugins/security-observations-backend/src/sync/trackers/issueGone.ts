import { TrackerError } from './TrackerError';

/**
 * A write to an issue answered 404, which trackers say for a deleted
 * issue and also when the credentials lost access to its project. Only
 * the first means "recreate": the issue is gone only while its project can
 * still be read. When the project answers 404 too, the link is kept and
 * the write fails visibly until access is back.
 */
export async function goneOrOutOfReach(options: {
  notFound: TrackerError;
  /** Reads the project; throws the tracker's `TrackerError`. */
  readProject: () => Promise<unknown>;
  /** The message when the issue is gone. */
  gone: string;
  /** The failure when the project is out of reach too; default `notFound`. */
  outOfReach?: TrackerError;
}): Promise<TrackerError> {
  try {
    await options.readProject();
  } catch (error) {
    if (error instanceof TrackerError && error.details.status === 404) {
      return options.outOfReach ?? options.notFound;
    }
    throw error;
  }
  return new TrackerError('gone', options.gone, options.notFound.details);
}
