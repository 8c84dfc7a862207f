import { SettingError, UsageError } from './errors.js';
import { nonEmpty, type Readers } from './setting-parsers.js';

/** The variables the region falls back to when no setting names one, in this order. */
export interface Environment {
  AWS_REGION?: string | undefined;
  AWS_DEFAULT_REGION?: string | undefined;
}

/** The settings an Amplify call needs; each may be left unset by a run that does not call Amplify. */
export interface AmplifyTargetSettings {
  /** Required only when the plan calls Amplify (see requireAmplify). */
  amplifyAppId: string | undefined;
  /** Checked when a plan touches Amplify: a cleanup that leaves Amplify alone needs no region. */
  awsRegion: string | undefined;
}

const APP_ID_FORM = 'an Amplify app id such as d2a1b3c4d5e6f7';
const REGION_FORM = 'an AWS region such as us-east-1';
/** What each of the two settings expects, for a front end's own message that one is missing. */
export const AMPLIFY_FORMS = { 'amplify-app-id': APP_ID_FORM, 'aws-region': REGION_FORM } as const;

/** The region the environment names when no setting does: AWS_REGION, then AWS_DEFAULT_REGION. */
export function regionFromEnvironment(env: Environment): string | undefined {
  return nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
}

/** `amplify-app-id` and `aws-region`, checked in form; whether they are needed is the plan's. */
export function amplifySettings(r: Readers, env: Environment): AmplifyTargetSettings {
  const awsRegion = r.text('aws-region') ?? regionFromEnvironment(env);
  const appId = r.text('amplify-app-id');
  return {
    amplifyAppId:
      appId === undefined ? undefined : r.matching('amplify-app-id', appId, /^d[a-z0-9]{1,19}$/, APP_ID_FORM),
    awsRegion:
      awsRegion === undefined
        ? undefined
        : r.matching('aws-region', awsRegion, /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, REGION_FORM),
  };
}

/** Where Amplify calls go, or which of the two settings is not set. */
export function amplifyTarget(
  settings: AmplifyTargetSettings,
): { appId: string; region: string } | { missing: 'amplify-app-id' | 'aws-region' } {
  const { amplifyAppId: appId, awsRegion: region } = settings;
  if (appId === undefined) return { missing: 'amplify-app-id' };
  if (region === undefined) return { missing: 'aws-region' };
  return { appId, region };
}

/**
 * The app and region, or a clear error before any request: the plan is about to call Amplify. The
 * app id is optional elsewhere, so that a cleanup with no Amplify app touches Neon only.
 */
export function requireAmplify(settings: AmplifyTargetSettings): { appId: string; region: string } {
  const target = amplifyTarget(settings);
  if (!('missing' in target)) return target;
  throw target.missing === 'amplify-app-id'
    ? SettingError.missing('amplify-app-id', APP_ID_FORM)
    : noRegion();
}

/** The region, or a clear error: Amplify is about to be called. */
export function requireRegion(settings: Pick<AmplifyTargetSettings, 'awsRegion'>): string {
  if (settings.awsRegion === undefined) throw noRegion();
  return settings.awsRegion;
}

function noRegion(): UsageError {
  return new UsageError(
    'No AWS region: set the aws-region input, or AWS_REGION / AWS_DEFAULT_REGION in the environment (e.g. us-east-1)',
  );
}
