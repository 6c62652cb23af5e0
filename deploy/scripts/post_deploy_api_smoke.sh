#!/usr/bin/env bash
# Smoke checks against a deployed Control Tower, then the release gate's verdict on them.
#
# Runs the checks (gateway health, authentication, a CloudTrail event's round trip from the ingest door to
# the activity API, governance reads), writes them as JUnit XML, registers the release, posts the report
# as its smoke evidence and asks ReleaseGate for a verdict. Exits 0 when the verdict is approved, 1 when it
# is rejected, or still not approved (inconclusive, error) when --timeout runs out; 2 on a usage error.
#
#   deploy/scripts/post_deploy_api_smoke.sh --gateway https://ct.example.com --service controltower \
#       --environment prod --version 1.4.2 --commit "$GITHUB_SHA"
#
# Keys come from the options or the environment: CT_RELEASE_KEY (releases:write, releases:read),
# CT_INGEST_KEY (ingest:aws) and CT_READ_KEY (activity:read, governance:read). Without an ingest or read key
# the checks that need it are reported as skipped, and a policy that requires their suite will not pass.
# Needs bash, curl and jq.
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

gateway="" service="" environment="" version="" commit="" timeout=120 junit="smoke-results.xml" pipeline_run=""
release_key=${CT_RELEASE_KEY:-} ingest_key=${CT_INGEST_KEY:-} read_key=${CT_READ_KEY:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --gateway) gateway=${2:?}; shift 2 ;;
    --service) service=${2:?}; shift 2 ;;
    --environment) environment=${2:?}; shift 2 ;;
    --version) version=${2:?}; shift 2 ;;
    --commit) commit=${2:?}; shift 2 ;;
    --pipeline-run) pipeline_run=${2:?}; shift 2 ;;
    --release-key) release_key=${2:?}; shift 2 ;;
    --ingest-key) ingest_key=${2:?}; shift 2 ;;
    --read-key) read_key=${2:?}; shift 2 ;;
    --timeout) timeout=${2:?}; shift 2 ;;
    --junit) junit=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "post_deploy_api_smoke: unknown argument '$1'" >&2; usage ;;
  esac
done
for required in gateway service environment version commit release_key; do
  if [ -z "${!required}" ]; then echo "post_deploy_api_smoke: --${required//_/-} is required" >&2; usage; fi
done
case "$timeout" in ''|*[!0-9]*) echo "post_deploy_api_smoke: --timeout takes whole seconds" >&2; usage ;; esac
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "post_deploy_api_smoke: $tool is needed" >&2; exit 2; }; done
gateway=${gateway%/}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases="$work/cases"
: > "$cases"

# One test case: suite, name, seconds, outcome (passed, failed, skipped), message.
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$cases"; echo "  [$4] $1 / $2${5:+: $5}" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# status KEY METHOD URL [curl args…]: prints the HTTP status; the body goes to $work/body.
status() {
  local key=$1 method=$2 url=$3; shift 3
  local auth=()
  [ -n "$key" ] && auth=(-H "X-Api-Key: $key")
  curl -sS -o "$work/body" -w '%{http_code}' -X "$method" "${auth[@]}" --max-time 30 "$@" "$gateway$url" 2>"$work/curl-error" || echo "000"
}

check() { # suite name expected-status key method url [curl args…]
  local suite=$1 name=$2 expected=$3; shift 3
  local started code; started=$(now)
  code=$(status "$@")
  if [ "$code" = "$expected" ]; then record "$suite" "$name" "$(elapsed "$started")" passed ""
  else record "$suite" "$name" "$(elapsed "$started")" failed "expected HTTP $expected, got $code $(head -c 300 "$work/body" 2>/dev/null | tr '\n\t' '  ')"; fi
}

echo "Smoke checks against $gateway" >&2
check api-smoke gateway-health 200 "" GET /health
check api-smoke gateway-alive 200 "" GET /alive
check api-smoke refuses-without-a-key 401 "" GET /api/activity
if [ -n "$read_key" ]; then
  check api-smoke activity-readable 200 "$read_key" GET "/api/activity?limit=1"
  check api-smoke governance-readable 200 "$read_key" GET /api/governance/findings
else
  record api-smoke activity-readable 0 skipped "no read key (--read-key or CT_READ_KEY)"
  record api-smoke governance-readable 0 skipped "no read key (--read-key or CT_READ_KEY)"
fi

# The round trip: an event in at the door, out of the activity API.
if [ -n "$ingest_key" ] && [ -n "$read_key" ]; then
  event_id=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)
  event_time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  jq -nc --arg id "$event_id" --arg time "$event_time" '{Records: [{
      eventVersion: "1.08", eventTime: $time, eventSource: "sts.amazonaws.com", eventName: "GetCallerIdentity",
      awsRegion: "us-east-1", sourceIPAddress: "198.51.100.10", userAgent: "control-tower-post-deploy-smoke",
      userIdentity: {type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ReleasePipeline/smoke", accountId: "111122223333"},
      requestParameters: null, responseElements: null, requestID: $id, eventID: $id, readOnly: true,
      eventType: "AwsApiCall", managementEvent: true, recipientAccountId: "111122223333", eventCategory: "Management"}]}' > "$work/event.json"
  started=$(now)
  code=$(status "$ingest_key" POST /ingest/aws/cloudtrail -H 'Content-Type: application/json' --data-binary @"$work/event.json")
  if [ "$code" != "202" ]; then
    record ingestion-roundtrip event-accepted "$(elapsed "$started")" failed "expected HTTP 202, got $code $(head -c 300 "$work/body" | tr '\n\t' '  ')"
    record ingestion-roundtrip event-readable 0 skipped "the event was not accepted"
  else
    record ingestion-roundtrip event-accepted "$(elapsed "$started")" passed ""
    started=$(now); deadline=$(( $(date +%s) + 60 )); code=000
    while [ "$(date +%s)" -lt "$deadline" ]; do
      code=$(status "$read_key" GET "/api/activity/aws/$event_id")
      [ "$code" = "200" ] && break
      sleep 1
    done
    if [ "$code" = "200" ]; then record ingestion-roundtrip event-readable "$(elapsed "$started")" passed ""
    else record ingestion-roundtrip event-readable "$(elapsed "$started")" failed "event $event_id not readable within 60 s (last HTTP $code)"; fi
  fi
else
  record ingestion-roundtrip event-accepted 0 skipped "needs an ingest key and a read key"
  record ingestion-roundtrip event-readable 0 skipped "needs an ingest key and a read key"
fi

# The report, as JUnit XML: one testsuite per suite.
xml() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuites name=\"post-deploy-api-smoke\" timestamp=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\">"
  for suite in $(cut -f1 "$cases" | sort -u); do
    awk -F'\t' -v s="$suite" '$1 == s { n++; t += $3; if ($4 == "failed") f++; if ($4 == "skipped") k++ }
      END { printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", s, n, f, k, t }' "$cases"
    while IFS=$'\t' read -r s name seconds outcome message; do
      [ "$s" = "$suite" ] || continue
      message=$(printf '%s' "$message" | xml)
      case "$outcome" in
        passed) echo "    <testcase classname=\"$suite\" name=\"$name\" time=\"$seconds\"/>" ;;
        skipped) echo "    <testcase classname=\"$suite\" name=\"$name\" time=\"$seconds\"><skipped message=\"$message\"/></testcase>" ;;
        *) echo "    <testcase classname=\"$suite\" name=\"$name\" time=\"$seconds\"><failure message=\"$message\"/></testcase>" ;;
      esac
    done < "$cases"
    echo '  </testsuite>'
  done
  echo '</testsuites>'
} > "$junit"
echo "Wrote $junit" >&2

# The release, its smoke evidence, and the verdict.
release=$(jq -nc --arg s "$service" --arg e "$environment" --arg v "$version" --arg c "$commit" --arg p "$pipeline_run" \
  '{service: $s, environment: $e, version: $v, commit: $c} + (if $p == "" then {} else {pipelineRun: $p} end)')
code=$(status "$release_key" POST /api/releases -H 'Content-Type: application/json' --data-binary "$release")
if [ "$code" != "201" ] && [ "$code" != "200" ]; then
  echo "post_deploy_api_smoke: registering the release failed: HTTP $code $(cat "$work/body")" >&2; exit 1
fi
release_id=$(jq -r .id "$work/body")
code=$(status "$release_key" POST "/api/releases/$release_id/smoke" -H 'Content-Type: application/xml' --data-binary @"$junit")
if [ "$code" != "201" ] && [ "$code" != "200" ]; then
  echo "post_deploy_api_smoke: posting the smoke report failed: HTTP $code $(cat "$work/body")" >&2; exit 1
fi
echo "Release $release_id ($service $version to $environment): smoke report posted; asking for the verdict" >&2

deadline=$(( $(date +%s) + timeout )); attempt=0
while :; do
  attempt=$((attempt + 1))
  code=$(status "$release_key" POST "/api/releases/$release_id/evaluations" -H "Idempotency-Key: smoke-$release_id-$attempt")
  if [ "$code" != "201" ] && [ "$code" != "200" ]; then
    echo "post_deploy_api_smoke: asking for the verdict failed: HTTP $code $(cat "$work/body")" >&2; exit 1
  fi
  state=$(jq -r .gitHub.state "$work/body")
  echo "Verdict $(jq -r .decision "$work/body") ($state): $(jq -r .summary "$work/body")" >&2
  jq -r '.rules[]? | "  \(.ruleId // .id): \(.outcome) \(.explanation // "")"' "$work/body" >&2 || true
  case "$state" in
    approved) exit 0 ;;
    rejected) exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "post_deploy_api_smoke: no approval within $timeout s" >&2; exit 1
  fi
  sleep 10
done
