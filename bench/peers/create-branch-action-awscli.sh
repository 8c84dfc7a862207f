#!/usr/bin/env bash
# The peer a workflow builds from the official action: neondatabase/create-branch-action's committed
# dist/index.js makes (or finds) the Neon branch, then three AWS CLI calls put its pooled URL into
# the Amplify branch and start a build, as `run:` steps after it would.
#
# The bench sets everything the runner would for the action step (INPUT_* from the checkout's
# action.yml, GITHUB_OUTPUT, ...) and, for the AWS part:
#   NODE, ACTION_MAIN        the node executable and the checkout's dist/index.js
#   AWS_CLI                  the aws executable
#   AMPLIFY_APP_ID, GIT_BRANCH, AMPLIFY_ENDPOINT_URL (and the usual AWS_* credentials and region)
set -euo pipefail

"$NODE" "$ACTION_MAIN"

# The runner's output file holds `name<<DELIMITER`, the value, `DELIMITER` (or `name=value` from
# older actions). Output names changed across versions: the pooled URL first, else the direct one.
output() {
  awk -v name="$1" '
    index($0, name "<<") == 1 { getline; print; exit }
    index($0, name "=") == 1 { print substr($0, length(name) + 2); exit }
  ' "$GITHUB_OUTPUT"
}
database_url=$(output db_url_pooled)
[[ -n "$database_url" ]] || database_url=$(output db_url_with_pooler)
[[ -n "$database_url" ]] || database_url=$(output db_url)
if [[ -z "$database_url" ]]; then
  echo "create-branch-action wrote no db_url output" >&2
  exit 1
fi

aws=("$AWS_CLI" --endpoint-url "$AMPLIFY_ENDPOINT_URL" --output json)
variables=$("${aws[@]}" amplify get-branch --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" \
  --query 'branch.environmentVariables')
merged=$(jq -c --arg url "$database_url" '(. // {}) + {DATABASE_URL: $url}' <<<"$variables")
"${aws[@]}" amplify update-branch --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" \
  --environment-variables "$merged" >/dev/null
"${aws[@]}" amplify start-job --app-id "$AMPLIFY_APP_ID" --branch-name "$GIT_BRANCH" --job-type RELEASE \
  --query 'jobSummary.jobId'
