export interface Config {
  /** Configuration of the Security Observations backend plugin. */
  securityObservations?: {
    /** Limits of `POST /v1/imports`. */
    imports?: {
      /** Largest request body, compressed or not, in megabytes (default 50). */
      maxReportSizeMb?: number;
      /** Largest report after gzip decompression, in megabytes (default 250). */
      maxDecompressedSizeMb?: number;
    };
    assessment?: {
      /**
       * Four-eyes review: an assessment stays pending until a different
       * user with the assess permission approves or rejects it (default false).
       */
      requireApproval?: boolean;
    };
    /** Count "In review" as active, like "Open" (default false). */
    inReviewIsActive?: boolean;
    /**
     * The trackers that entities can route their observations to, picked by
     * the `security-observations/tracker` annotation or, when only one
     * matches, by the entity's project annotations. GitHub and GitLab
     * credentials come from Backstage's `integrations` for the same host.
     */
    trackers?: Array<{
      /** Id that the `security-observations/tracker` annotation names. */
      id: string;
      type: 'github' | 'gitlab' | 'jira';
      /** Host of the matching `integrations.github` / `integrations.gitlab` entry. */
      host?: string;
      /** Jira: `cloud` (REST v3, email + API token) or `datacenter` (REST v2, PAT). */
      deployment?: 'cloud' | 'datacenter';
      /** Jira: base URL of the site, e.g. https://acme.atlassian.net */
      baseUrl?: string;
      /** Jira Cloud: the account's email. */
      email?: string;
      /**
       * Jira Cloud: API token.
       * @visibility secret
       */
      apiToken?: string;
      /**
       * Jira Data Center: personal access token.
       * @visibility secret
       */
      personalAccessToken?: string;
      /** Labels added to every issue this tracker creates (1 to 50 characters each). */
      labels?: string[];
      /**
       * GitHub: write pacing, below the secondary limits. The defaults are
       * GitHub.com's documented limits; GitHub Enterprise Server admins can
       * set others.
       */
      pacing?: {
        /** Issues created per minute (default 80). */
        createsPerMinute?: number;
        /** Issues created per hour (default 500). */
        createsPerHour?: number;
        /** Writes per minute to one endpoint (default 180: 900 points, 5 a write). */
        writesPerMinute?: number;
      };
    }>;
    /** The tracker sync. */
    sync?: {
      /**
       * When the sync runs, on Backstage's scheduler, on one replica at a
       * time (default: every 5 minutes, at most 10 minutes a run).
       */
      schedule?: {
        frequency: { minutes?: number; hours?: number; cron?: string };
        timeout: { minutes?: number; hours?: number };
        initialDelay?: { seconds?: number; minutes?: number };
      };
    };
  };
}
