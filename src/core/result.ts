import type { AmplifyJob } from './ports.js';

/** A Neon branch as results name it. */
export interface BranchRef {
  id: string;
  name: string;
  /** The branch it was made from, when known (the schema diff compares against it). */
  parentId?: string | undefined;
}

/** What the run reported on GitHub (the front end fills it in; the core never talks to GitHub). */
export interface GitHubReport {
  /** The sticky pull request comment written or edited (the first, with several pull requests). */
  commentUrl?: string | undefined;
  deploymentId?: number | undefined;
}

/** The connection string the run handed out, and the host inside it. */
export interface Connection {
  url: string;
  host: string;
}

/** A preview Neon masked for this deploy (anonymize): how many rules, and the columns Neon says it masked. */
export interface Anonymization {
  rules: number;
  maskedColumns?: number | undefined;
}

export interface DeployResult {
  kind: 'deploy';
  gitBranch: string;
  dryRun: boolean;
  /** The branch used; its id is empty on a dry run that would create it. */
  neonBranch: BranchRef;
  created: boolean;
  /**
   * Why the Neon branch is production (src/core/flows/out-of-reach.ts) although the git branch is
   * not primary: the deploy used it read-only, as a primary branch, and nothing reports a preview.
   */
  production?: string | undefined;
  /** RFC 3339, when the preview expires (expires-in). */
  expiresAt?: string | undefined;
  /** Absent on a dry run. */
  connection?: Connection | undefined;
  /** The direct URL, when unpooled-env-var-name asked for it. */
  directConnection?: Connection | undefined;
  /** Absent when Amplify was not asked (inside an Amplify build). */
  previewUrl?: string | undefined;
  /** The job started, if one was; with `wait-for-job`, as it ended (or was last seen). */
  job?: AmplifyJob | undefined;
  /** The Neon parent, by id and name, when the run knows it (read by the deploy, or for the schema diff). */
  parent?: BranchRef | undefined;
  /** Unified diff from the parent's schema to the preview's; `''` equal; undefined not compared. */
  schemaDiff?: string | undefined;
  /** Present when the preview holds masked data: created or masked again by this deploy. */
  anonymized?: Anonymization | undefined;
  github?: GitHubReport | undefined;
}

export interface CleanupResult {
  kind: 'cleanup';
  gitBranch: string;
  dryRun: boolean;
  /** The branch deleted (or that a dry run would delete); absent when none was touched. */
  neonBranch?: BranchRef | undefined;
  deleted: boolean;
  /** Why the Neon branch was kept (src/core/flows/out-of-reach.ts): then Amplify was left alone too. */
  kept?: string | undefined;
  github?: GitHubReport | undefined;
}

/** What reconcile did, for the summary and the CLI's JSON. */
export interface ReconcileReport {
  deleted: string[];
  /** Gone before the delete reached them: expired by Neon, or deleted elsewhere. */
  gone: string[];
  /** Names a dry run would delete. */
  wouldDelete: string[];
  kept: string[];
  failed: { name: string; message: string }[];
}

export interface ReconcileResult {
  kind: 'reconcile';
  dryRun: boolean;
  report: ReconcileReport;
}

/** One preview as `list` shows it; never a connection string or password. */
export interface PreviewRow {
  /** The git (and Amplify) branch that maps to the Neon branch; absent when none does (reconcile's to delete). */
  gitBranch?: string | undefined;
  neonBranch: BranchRef;
  /** RFC 3339, as Neon gives it. */
  createdAt?: string | undefined;
  expiresAt?: string | undefined;
  amplifyBranch?: string | undefined;
  lastJob?: { id: string; status: string } | undefined;
}

export interface ListResult {
  kind: 'list';
  previews: PreviewRow[];
}

export interface NoneResult {
  kind: 'none';
  reason: string;
}

/** What a run did, as typed values; `toOutputs` turns it into the action's string outputs. */
export type Result = DeployResult | CleanupResult | ReconcileResult | ListResult | NoneResult;

/** The action's outputs, by the names README.md's "Outputs" gives; the CLI prints the same, the summary shows them. */
export const OUTPUT_NAMES = [
  'neon-branch-id',
  'neon-branch-name',
  'created',
  'database-url',
  'database-url-unpooled',
  'database-host',
  'amplify-branch',
  'amplify-job-id',
  'preview-url',
  'deleted',
  'expires-at',
  'amplify-job-status',
  'comment-url',
  'deployment-id',
  'schema-diff',
  'anonymized',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];
export type Outputs = Record<OutputName, string>;

/**
 * The outputs that hold a secret: masked by the runner, left out of the CLI's report and JSON (unless
 * asked for), of webhook logs and response bodies. Decided here only.
 */
export const SECRET_OUTPUTS: readonly OutputName[] = ['database-url', 'database-url-unpooled'];

export const EMPTY_OUTPUTS: Outputs = {
  'neon-branch-id': '',
  'neon-branch-name': '',
  created: '',
  'database-url': '',
  'database-url-unpooled': '',
  'database-host': '',
  'amplify-branch': '',
  'amplify-job-id': '',
  'preview-url': '',
  deleted: 'false',
  'expires-at': '',
  'amplify-job-status': '',
  'comment-url': '',
  'deployment-id': '',
  'schema-diff': '',
  // true or false for a deploy only: a cleanup neither masks nor unmasks anything.
  anonymized: '',
};

/** The string outputs of a result, made here once for the action, the CLI and the webhook. */
export function toOutputs(result: Result): Outputs {
  switch (result.kind) {
    case 'none':
    case 'list':
      return { ...EMPTY_OUTPUTS };
    case 'deploy':
      return {
        ...EMPTY_OUTPUTS,
        'neon-branch-id': result.neonBranch.id,
        'neon-branch-name': result.neonBranch.name,
        created: String(result.created),
        'database-url': result.connection?.url ?? '',
        'database-url-unpooled': result.directConnection?.url ?? '',
        'database-host': result.connection?.host ?? '',
        'amplify-branch': result.gitBranch,
        'amplify-job-id': result.job?.id ?? '',
        'preview-url': result.previewUrl ?? '',
        'expires-at': result.expiresAt ?? '',
        ...githubOutputs(result.github),
        'amplify-job-status': result.job?.status ?? '',
        'schema-diff': result.schemaDiff ?? '',
        anonymized: String(result.anonymized !== undefined),
      };
    case 'cleanup':
      return {
        ...EMPTY_OUTPUTS,
        'neon-branch-id': result.neonBranch?.id ?? '',
        'neon-branch-name': result.neonBranch?.name ?? '',
        'amplify-branch': result.gitBranch,
        deleted: String(result.deleted),
        ...githubOutputs(result.github),
      };
    case 'reconcile':
      return { ...EMPTY_OUTPUTS, deleted: String(result.report.deleted.length > 0) };
  }
}

function githubOutputs(report: GitHubReport | undefined): Pick<Outputs, 'comment-url' | 'deployment-id'> {
  return {
    'comment-url': report?.commentUrl ?? '',
    'deployment-id': report?.deploymentId === undefined ? '' : String(report.deploymentId),
  };
}

/** The outputs without the secret ones and without empty values: for logs and printed reports. */
export function publicOutputs(outputs: Outputs): Partial<Outputs> {
  return Object.fromEntries(
    Object.entries(outputs).filter(
      ([name, value]) => value !== '' && !SECRET_OUTPUTS.includes(name as OutputName),
    ),
  ) as Partial<Outputs>;
}
