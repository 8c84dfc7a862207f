import { requireAmplify } from '../core/amplify-settings.js';
import { messageOf, SettingError, UsageError } from '../core/errors.js';
import { needsAmplify, resultOf } from '../core/executor.js';
import { describePlan, type Intent, makePlan, type Plan } from '../core/plan.js';
import type { Result } from '../core/result.js';
import { settingVariable } from '../core/setting-names.js';
import { parseApiKey } from '../core/setting-parsers.js';
import { parseSettings, type Settings } from '../core/settings.js';
import { rulesFileLoader } from '../masking-rules-file.js';
import { type CliOptions, parseCli } from './args.js';
import { type CliCommand, CliUsageError } from './commands.js';
import { writeEnvFile } from './env-file.js';
import { cliGitHubTarget } from './github.js';
import { commandUsage, generalUsage, helpPointer } from './help.js';
import { amplifyBuild, type Env, type KeySource, keySource, settingReader } from './inputs.js';
import { type CliLogger, createLogger, type Writer } from './log.js';
import { previewTable } from './preview-table.js';
import { jsonResult, summaryLines } from './report.js';
import { nodeVersionProblem, VERSION } from './version.js';

export const EXIT_DONE = 0;
export const EXIT_FAILED = 1;
/** Bad usage: the command line or the settings are wrong, and nothing was sent anywhere. */
export const EXIT_USAGE = 2;

export interface CliIo {
  env: Env;
  stdout: Writer;
  stderr: Writer;
  /** `process.version` unless given (tests give another). */
  nodeVersion?: string;
}

/** The whole CLI: argv in, exit code out. Progress goes to stderr; stdout gets help or the JSON result. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Help and the version work on any Node.js; everything else needs the one package.json names.
  const tooOld = nodeVersionProblem(io.nodeVersion ?? process.version);
  let request: ReturnType<typeof parseCli>;
  try {
    request = parseCli(argv);
  } catch (error) {
    // On an old Node.js the parse error may be the old Node.js's doing: say what is needed instead.
    if (tooOld !== undefined) return refuse(io, tooOld, undefined);
    const command = error instanceof CliUsageError ? error.command : undefined;
    return refuse(io, messageOf(error), helpPointer(command));
  }
  if (request.kind === 'help') {
    io.stdout.write(request.command ? commandUsage(request.command) : generalUsage());
    return EXIT_DONE;
  }
  if (request.kind === 'version') {
    io.stdout.write(`neon-amplify-branch ${VERSION}\n`);
    return EXIT_DONE;
  }
  if (tooOld !== undefined) return refuse(io, tooOld, undefined);
  return run(request.command, request.options, io);
}

/** Bad usage before a logger exists: the error, and where to read more (not the whole usage). */
function refuse(io: CliIo, message: string, pointer: string | undefined): number {
  io.stderr.write(`error: ${message}\n${pointer === undefined ? '' : `${pointer}\n`}`);
  return EXIT_USAGE;
}

interface Prepared {
  settings: Settings;
  plan: Plan;
  neonOnly: boolean;
  source: KeySource;
}

async function run(command: CliCommand, options: CliOptions, io: CliIo): Promise<number> {
  const log = createLogger(io.stderr, { verbose: options.verbose });
  let prepared: Prepared;
  try {
    prepared = await prepare(command, options, io.env, log);
  } catch (error) {
    log.error(inCliTerms(error));
    if (!(error instanceof UsageError)) return EXIT_FAILED;
    io.stderr.write(`${helpPointer(command)}\n`);
    return EXIT_USAGE;
  }
  const { plan, neonOnly, source } = prepared;
  let { settings } = prepared;
  const report = reporter({ command, options, io, log, plan, dryRun: settings.dryRun });
  let result: Result | undefined;
  try {
    // The SDKs load only for a run that sends requests: each import is a chunk file of its own
    // (scripts/build.js), so help, the version and bad usage never even compile them.
    if (source.kind === 'ssm') {
      const { readSecureParameter } = await import('./ssm.js');
      const key = await readSecureParameter(source.parameter, { region: settings.awsRegion, log });
      log.secret(key);
      settings = { ...settings, neonApiKey: parseApiKey(key) };
    }
    const github = cliGitHubTarget(settings, io.env, log);
    const { runAndPublish } = await import('../publishing.js');
    result = await runAndPublish(plan, { settings, log, secret: log.secret, neonOnly, github });
    const envFile = await writeEnvFile(plan, result, settings, options, log);
    log.info(settings.dryRun ? 'Dry run done: nothing was changed.' : 'Done.');
    report({ result, ...(envFile === undefined ? {} : { envFile }) });
    return EXIT_DONE;
  } catch (error) {
    // A failed reconcile or build still has its result: the outputs say what was done.
    result = resultOf(error) ?? result;
    log.error(messageOf(error));
    report({ ...(result === undefined ? {} : { result }), error: messageOf(error) });
    return EXIT_FAILED;
  }
}

interface ReporterInput {
  command: CliCommand;
  options: CliOptions;
  io: CliIo;
  log: CliLogger;
  plan: Plan;
  dryRun: boolean;
}

/** The closing lines on stderr and, with `--output json`, the JSON document on stdout. */
function reporter({ command, options, io, log, plan, dryRun }: ReporterInput) {
  return (input: { result?: Result; envFile?: string; error?: string }) => {
    // A failed reconcile still lists what it did; any other failure has no summary to give.
    const { result, error } = input;
    if (result !== undefined && (error === undefined || result.kind === 'reconcile')) {
      for (const line of summaryLines(result)) log.info(line);
    }
    if (options.output !== 'json') {
      // The list is the command's answer: on stdout, where a pipe finds it.
      if (result?.kind === 'list') io.stdout.write(previewTable(result.previews));
      return;
    }
    const document = jsonResult({
      ...input,
      plan,
      dryRun,
      command,
      includeDatabaseUrl: options.includeDatabaseUrl,
      error: input.error === undefined ? undefined : log.redact(input.error),
    });
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  };
}

/**
 * Everything that needs no request: where the key comes from, then the settings (parsed once), the
 * plan, the region and the `--write-env` file. A key that lives in SSM is read later, so a typo in
 * any setting, or a file that cannot be written, is bad usage (exit 2) before anything is sent;
 * until then a placeholder stands in for the key.
 */
async function prepare(
  command: CliCommand,
  options: CliOptions,
  env: Env,
  log: CliLogger,
): Promise<Prepared> {
  const build = amplifyBuild(env);
  const source = keySource(options, env, command);
  if (source.kind === 'value') log.secret(source.value);
  const base = settingReader(options, env, build);
  const key = source.kind === 'value' ? source.value : 'key-read-from-ssm';
  const settings: Settings = parseSettings(
    (name) => (name === 'neon-api-key' ? key : base(name)),
    env,
    rulesFileLoader(process.cwd()),
  );
  const plan = makePlan(intentOf(command, settings), settings, { defaultBranch: 'main' });
  // Inside an Amplify build the build is already running: a job started from it would start another
  // build of the same branch, and the variable would only reach the next one. The dotenv file carries
  // the URL into this build instead.
  const neonOnly = command === 'deploy' && build !== undefined;
  if (needsAmplify(plan, neonOnly)) requireAmplify(settings);
  if (plan.kind === 'deploy') await checkEnvFile(options.writeEnv, settings.dryRun, command);

  if (build !== undefined) {
    log.info(
      `Inside an Amplify build of app ${build.appId}, branch '${build.branch}' (AWS_APP_ID, AWS_BRANCH)`,
    );
  }
  log.info(`${settings.dryRun ? 'Dry run. ' : ''}${announce(plan, settings, neonOnly, options.writeEnv)}`);
  if (
    neonOnly &&
    options.writeEnv === undefined &&
    !(options.output === 'json' && options.includeDatabaseUrl)
  ) {
    log.warning(
      `No --write-env: inside an Amplify build the connection string reaches the build only through a dotenv file; add --write-env .env`,
    );
  }
  return { settings, plan, neonOnly, source };
}

/**
 * The `--write-env` file, checked before the Neon branch is made for it: a folder, a missing folder
 * or a place that refuses new files would otherwise fail only after the work. A dry run writes
 * nothing, so it checks what it can without creating a file.
 */
async function checkEnvFile(file: string | undefined, dryRun: boolean, command: CliCommand): Promise<void> {
  if (file === undefined) return;
  // A chunk file of its own, like writeDotenv (env-file.ts): with node:fs/promises it is about 5 ms
  // of a start that has no file to write (measured with --cpu-prof on `--version`).
  const { checkDotenvTarget } = await import('./dotenv-target.js');
  try {
    await checkDotenvTarget(file, { probe: !dryRun });
  } catch (error) {
    throw new CliUsageError(`--write-env ${messageOf(error)}`, command);
  }
}

/** A missing setting named as a shell user gives it: the flag and the variable. */
function inCliTerms(error: unknown): string {
  if (!(error instanceof SettingError) || !error.missing) return messageOf(error);
  return `${error.message}: give --${error.setting} or set ${settingVariable(error.setting)}`;
}

function intentOf(command: CliCommand, settings: Settings): Intent {
  if (command === 'reconcile' || command === 'list') return { command };
  if (settings.gitBranch === undefined) {
    throw new CliUsageError(
      `${command} needs a git branch: --git-branch BRANCH (or GIT_BRANCH); inside an Amplify build AWS_BRANCH gives it`,
      command,
    );
  }
  return { command, gitBranch: settings.gitBranch };
}

/** The plan in one line, as the action prints it, with what the CLI does differently. */
function announce(plan: Plan, settings: Settings, neonOnly: boolean, file: string | undefined): string {
  if (plan.kind !== 'deploy') return describePlan(plan, settings);
  const toFile = file === undefined ? '' : ` to ${file} as ${settings.envVarName}`;
  if (!neonOnly)
    return `${describePlan(plan, settings)}${file === undefined ? '' : `; also write it${toFile}`}`;
  const what = plan.primary
    ? `'${plan.gitBranch}' is a primary branch: use the parent Neon branch`
    : `find or create Neon branch '${plan.neonBranchName}'`;
  return `Deploy '${plan.gitBranch}': ${what}${file === undefined ? '' : `, write its connection string${toFile}`}; Amplify variables and jobs are left alone`;
}
