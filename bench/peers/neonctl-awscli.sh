#!/usr/bin/env bash
# The peer a team writes by hand today: neonctl makes the Neon branch and prints its connection
# string, then the AWS CLI reads the Amplify branch's variables, writes them back with
# DATABASE_URL added (UpdateBranch replaces the whole map) and starts a build.
#
# The bench runs it against its stand-ins. Settings, all required:
#   NEONCTL, AWS_CLI the neonctl and aws executables
#   NEON_API_KEY, NEON_API_HOST, NEON_PROJECT_ID
#   AMPLIFY_APP_ID, GIT_BRANCH, AMPLIFY_ENDPOINT_URL (and the usual AWS_* credentials and region)
# BRANCH_PREFIX defaults to preview/, as ours does.
set -euo pipefail

neon_branch="${BRANCH_PREFIX-preview/}${GIT_BRANCH}"
neonctl=("$NEONCTL" --api-host "$NEON_API_HOST" --project-id "$NEON_PROJECT_ID" --no-analytics --no-color)
aws=("$AWS_CLI" --endpoint-url "$AMPLIFY_ENDPOINT_URL" --output json)

# Like most such scripts, it neither looks for an existing branch first nor waits for the new
# branch's operations: neonctl returns as soon as Neon accepted the request.
"${neonctl[@]}" branches create --name "$neon_branch" --output json >/dev/null
database_url=$("${neonctl[@]}" connection-string "$neon_branch" --pooled)

variables=$("${aws[@]}" amplify get-branch --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" \
  --query 'branch.environmentVariables')
merged=$(jq -c --arg url "$database_url" '(. // {}) + {DATABASE_URL: $url}' <<<"$variables")
"${aws[@]}" amplify update-branch --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" \
  --environment-variables "$merged" >/dev/null
"${aws[@]}" amplify start-job --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" --job-type RELEASE \
  --query 'jobSummary.jobId'
