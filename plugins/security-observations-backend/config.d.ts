export interface Config {
  /** Configuration of the Security Observations backend plugin. */
  securityObservations?: {
    /** Limits of `POST /v1/imports`. */
    imports?: {
      /** Largest request body, compressed or not, in megabytes (default 50). */
      maxReportSizeMb?: number;
      /** Largest report after gzip decompression, in megabytes (default 250). */
      maxDecompressedSizeMb?: number;
      /**
       * Imports parsed and stored at once by one backend process (default 2);
       * more uploads wait their turn, so that reads keep their database
       * connections and stay fast while a CI fan-out uploads.
       */
      maxConcurrent?: number;
    };
    /**
     * Requests per minute that one caller may make to the routes that take
     * writes from outside Backstage's UI. Counted in the memory of each
     * backend process: behind a load balancer with N replicas, a caller
     * may make up to N times as many. Over the limit the answer is 429,
     * with a Retry-After header in seconds. Backstage's own
     * `backend.rateLimit` (per IP address, for a whole plugin) still
     * applies on top when configured.
     */
    rateLimits?: {
      /**
       * `POST /v1/imports`, per principal: a static token's subject, or a
       * user (default 600).
       */
      imports?: {
        requestsPerMinute?: number;
      };
      /**
       * Tracker webhooks (`POST /api/events/http/security-observations.<type>`),
       * per tracker type and sender address, counted before the signature
       * is checked (default 600). Behind a proxy, set `backend.trustProxy`
       * so that the sender's address is the one counted.
       */
      webhooks?: {
        requestsPerMinute?: number;
      };
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
      /**
       * GitHub and GitLab: host of the matching `integrations.github` /
       * `integrations.gitlab` entry, whose credentials are used
       * (default github.com / gitlab.com).
       */
      host?: string;
      /** Labels added to every issue this tracker creates (1 to 50 characters each). */
      labels?: string[];
      /**
       * PEM certificates of a private CA that signed a self-hosted
       * tracker's TLS certificate, trusted for this tracker only (TLS
       * verification stays on). Or `caFile`, a path to them.
       */
      ca?: string;
      caFile?: string;
      /**
       * Write pacing below the tracker's limits. GitHub: createsPerMinute
       * (80), createsPerHour (500), writesPerMinute (180). GitLab:
       * createsPerMinute (200), requestsPerMinute (2000), notesPerMinute
       * (60, comments pushed from the Security tab). Jira:
       * createsPerMinute (300), requestsPerMinute (600).
       */
      pacing?: {
        createsPerMinute?: number;
        createsPerHour?: number;
        writesPerMinute?: number;
        requestsPerMinute?: number;
        notesPerMinute?: number;
      };
      /** GitLab: create issues confidential (default true). */
      confidential?: boolean;
      /** Jira: `cloud` (REST v3, email + API token) or `datacenter` (REST v2, personal access token). */
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
      /** Jira: issue type when the entity names none (default Bug). */
      issueType?: string;
      /** Jira: create a `jira/component` the project lacks (default false). */
      createComponents?: boolean;
      /**
       * Jira: priority name per severity (critical, high, medium, low,
       * none, unknown). Default Highest, High, Medium, Low, Lowest; unknown
       * gets the project's default.
       */
      priorities?: { [severity: string]: string };
      /** Jira: the status that closes a fixed finding's issue (default: Done, else any Done-category status). */
      closedStatus?: string;
      /** Jira: the status for a finding that will not be fixed, e.g. "Won't Do". */
      notPlannedStatus?: string;
      /** Jira: the status that reopens an issue (default: any To Do-category status). */
      reopenedStatus?: string;
      /**
       * Jira: fields filled from the observation or with a constant, by
       * field id, e.g. `customfield_10010: { from: cve }` or
       * `customfield_10020: { from: severity, as: option, map: { Critical: P1 } }`.
       */
      fields?: {
        [field: string]: {
          /** cve, vulnerabilityIds, cwe, cwes, severity, status, scanner, ruleId, package, packageVersion, fixedVersion, purl, file, branch, entity, entityName, title, observationUrl. */
          from?: string;
          /** string (default), option, options, labels, array, user, number. */
          as?: string;
          /** Values renamed before they are written. */
          map?: { [value: string]: string };
          /** A constant written as given, e.g. `{ accountId: ... }`. */
          value?: unknown;
          /** When it is written: create, update, close, reopen (default create and update; a constant: create). */
          on?: string[];
        };
      };
      /** Jira: how far the issue search may lag behind a create, in seconds (Cloud 60, Data Center 5). */
      searchLagSeconds?: number;
      /**
       * Two-way sync (default false): the tracker's comments and issue
       * states come back onto observations, through signed webhooks to
       * `/api/events/http/security-observations.<type>` and the scheduled
       * reconciliation. Changes the sync made itself never come back.
       */
      twoWay?: boolean;
      /**
       * The secret the tracker signs its webhooks with (GitHub, Jira) or
       * sends (GitLab). Without it every delivery for this tracker is
       * refused; the reconciliation still runs.
       * @visibility secret
       */
      webhookSecret?: string;
      /** With twoWay: comments written on the Security tab go to the issue (default false). */
      pushComments?: boolean;
      /**
       * With twoWay: tracker states that change the observation's status,
       * first match wins; replaces the defaults (see the README). Each rule
       * matches the tracker's status name (`Won't Do`), its state (`open`,
       * `closed`), GitHub's state reason (`not_planned`) and/or a label.
       */
      statusMapping?: Array<{
        status?: string;
        state?: 'open' | 'closed';
        reason?: string;
        label?: string;
        to:
          | 'open'
          | 'in_review'
          | 'duplicate'
          | 'false_positive'
          | 'not_security'
          | 'risk_accepted';
      }>;
    }>;
    /**
     * The reconciliation: reads the live state of linked issues on
     * Backstage's scheduler (global scope), to show it on the tab and heal
     * missed webhooks (default: every 15 minutes, at most 10 minutes a run).
     */
    reconcile?: {
      schedule?: {
        frequency: { minutes?: number; hours?: number; cron?: string };
        timeout: { minutes?: number; hours?: number };
        initialDelay?: { seconds?: number; minutes?: number };
      };
      /** Linked issues read per tracker in one run (default 500). */
      maxIssuesPerRun?: number;
    };
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
