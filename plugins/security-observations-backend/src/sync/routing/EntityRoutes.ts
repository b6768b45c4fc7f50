import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { TrackerConfig } from './TrackerConfig';
import { resolveTrackerRoute, TrackerRoute } from './resolveTrackerRoute';

/** Reads entities from the catalog; undefined for refs it does not have. */
export type EntitiesLookup = (
  entityRefs: string[],
) => Promise<Array<Entity | undefined>>;

/** Catalog reads per request when routes of many entities are needed. */
const CATALOG_BATCH = 500;

/**
 * Entities' tracker routes, as the summary, the import, "Sync now" and the
 * sync engine all see them: the annotation rules, plus why a tracker
 * cannot be synced by this backend (no credentials, a kind it cannot sync).
 */
export class EntityRoutes {
  constructor(
    private readonly options: {
      trackers: TrackerConfig[];
      entitiesByRefs: EntitiesLookup;
      /** Why a configured tracker cannot be synced, or undefined. */
      unavailableReason: (trackerId: string) => string | undefined;
    },
  ) {}

  routeOf(entity: Entity): TrackerRoute {
    const route = resolveTrackerRoute(entity, this.options.trackers);
    if (route.tracker && !route.problem) {
      const reason = this.options.unavailableReason(route.tracker.id);
      if (reason) return { ...route, problem: reason };
    }
    return route;
  }

  /** True when changes on this branch of the entity go to a tracker. */
  syncsBranch(entity: Entity, branch: string): boolean {
    const route = this.routeOf(entity);
    return Boolean(
      route.tracker && !route.problem && route.defaultBranch === branch,
    );
  }

  async routeOfRef(entityRef: string): Promise<TrackerRoute | undefined> {
    return (await this.routesOf([entityRef])).get(entityRef);
  }

  /** Routes of the entities the catalog has, by entity ref. */
  async routesOf(entityRefs: string[]): Promise<Map<string, TrackerRoute>> {
    const routes = new Map<string, TrackerRoute>();
    for (let i = 0; i < entityRefs.length; i += CATALOG_BATCH) {
      const refs = entityRefs.slice(i, i + CATALOG_BATCH);
      const entities = await this.options.entitiesByRefs(refs);
      entities.forEach((entity, index) => {
        if (!entity) return;
        routes.set(refs[index], this.routeOf(entity));
        // The catalog's spelling of the ref, if the stored one differs.
        routes.set(stringifyEntityRef(entity), this.routeOf(entity));
      });
    }
    return routes;
  }
}
