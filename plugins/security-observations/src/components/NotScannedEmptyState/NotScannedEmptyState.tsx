import { stringifyEntityRef } from '@backstage/catalog-model';
import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { defaultBranchOf, importCurlCommand } from './importCurlCommand';

/**
 * Shown until the first report arrives: the one line a CI job needs, with
 * this entity filled in.
 */
export const NotScannedEmptyState = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const command = importCurlCommand(entityRef, defaultBranchOf(entity));
  return (
    <EmptyState
      missing="data"
      title="No scanner report yet"
      description={
        <Typography component="span">
          No scanner report has been imported for <code>{entityRef}</code> yet.
          Post one from CI with the token of{' '}
          <code>backend.auth.externalAccess</code>; SARIF, CycloneDX, Trivy,
          Grype, OSV-Scanner, Gitleaks and Semgrep reports are read as they are.
        </Typography>
      }
      action={
        <Box maxWidth="100%" overflow="auto" data-testid="import-command">
          <CodeSnippet text={command} language="bash" showCopyCodeButton />
        </Box>
      }
    />
  );
};
