#!/usr/bin/env bash
# A stand-in for the AWS CLI in the inventory recipe's test: the answers of `aws organizations ...` (output json,
# after the CLI followed the pages) for the example landing zone (deploy/landing-zone/baseline.yaml), whose
# policy files are under $CT_POLICIES.
set -euo pipefail
ou() { jq -n --argjson ous "$1" '{OrganizationalUnits: [$ous[] | {Id: .[0], Arn: ("arn:aws:organizations::111122223333:ou/o-exampleorgid/" + .[0]), Name: .[1]}]}'; }
accounts() { jq -n --argjson a "$1" '{Accounts: [$a[] | {Id: .[0], Arn: ("arn:aws:organizations::111122223333:account/o-exampleorgid/" + .[0]), Email: (.[1] + "@example.com"), Name: .[1], Status: "ACTIVE", JoinedMethod: "CREATED", JoinedTimestamp: "2026-01-05T10:00:00+00:00"}]}'; }
policy() { jq -n --arg id "$1" --arg name "$2" --arg content "$3" '{Policy: {PolicySummary: {Id: $id, Arn: ("arn:aws:organizations::111122223333:policy/o-exampleorgid/service_control_policy/" + $id), Name: $name, Description: "", Type: "SERVICE_CONTROL_POLICY", AwsManaged: false}, Content: $content}}'; }
targets() { jq -n --argjson t "$1" '{Targets: [$t[] | {TargetId: ., Arn: "arn:aws:organizations::111122223333:target", Name: ., Type: (if startswith("r-") then "ROOT" elif startswith("ou-") then "ORGANIZATIONAL_UNIT" else "ACCOUNT" end)}]}'; }
case "$*" in
  "organizations list-roots --output json")
    echo '{"Roots":[{"Id":"r-ab12","Arn":"arn:aws:organizations::111122223333:root/o-exampleorgid/r-ab12","Name":"Root","PolicyTypes":[{"Type":"SERVICE_CONTROL_POLICY","Status":"ENABLED"}]}]}' ;;
  *"list-organizational-units-for-parent --parent-id r-ab12 "*)
    ou '[["ou-ab12-sec00001","Security"],["ou-ab12-inf00001","Infrastructure"],["ou-ab12-wkl00001","Workloads"],["ou-ab12-sbx00001","Sandbox"],["ou-ab12-sus00001","Suspended"]]' ;;
  *"list-organizational-units-for-parent --parent-id ou-ab12-wkl00001 "*) ou '[["ou-ab12-prd00001","Prod"],["ou-ab12-npd00001","NonProd"]]' ;;
  *"list-organizational-units-for-parent "*) ou '[]' ;;
  *"list-accounts-for-parent --parent-id r-ab12 "*) accounts '[["111122223333","management"]]' ;;
  *"list-accounts-for-parent --parent-id ou-ab12-sec00001 "*) accounts '[["222233334444","log-archive"],["333344445555","audit"]]' ;;
  *"list-accounts-for-parent --parent-id ou-ab12-inf00001 "*) accounts '[["444455556666","shared-services"]]' ;;
  *"list-accounts-for-parent --parent-id ou-ab12-prd00001 "*) accounts '[["555566667777","payments-prod"]]' ;;
  *"list-accounts-for-parent --parent-id ou-ab12-npd00001 "*) accounts '[["666677778888","payments-dev"]]' ;;
  *"list-accounts-for-parent "*) accounts '[]' ;;
  "organizations list-policies --filter SERVICE_CONTROL_POLICY --query Policies[].Id --output text")
    printf 'p-FullAWSAccess\tp-guardrail01\tp-guardrail02\tp-regionlock\n' ;;
  *"describe-policy --policy-id p-FullAWSAccess "*)
    policy p-FullAWSAccess FullAWSAccess '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' ;;
  *"describe-policy --policy-id p-guardrail01 "*) policy p-guardrail01 aws-guardrails-deny-leave "$(cat "$CT_POLICIES/guardrails.json")" ;;
  *"describe-policy --policy-id p-guardrail02 "*) policy p-guardrail02 aws-guardrails-protect-logging "$(cat "$CT_POLICIES/protect-logging.json")" ;;
  *"describe-policy --policy-id p-regionlock "*)
    policy p-regionlock region-lock '{"Version":"2012-10-17","Statement":[{"Sid":"RegionLock","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*","support:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}' ;;
  *"list-targets-for-policy --policy-id p-FullAWSAccess "*) targets '["r-ab12"]' ;;
  *"list-targets-for-policy --policy-id p-guardrail01 "*) targets '["r-ab12"]' ;;
  *"list-targets-for-policy --policy-id p-guardrail02 "*) targets '["ou-ab12-sec00001","ou-ab12-wkl00001","222233334444"]' ;;
  *"list-targets-for-policy --policy-id p-regionlock "*) targets '["ou-ab12-wkl00001","ou-ab12-sbx00001"]' ;;
  "organizations list-aws-service-access-for-organization --output json")
    echo '{"EnabledServicePrincipals":[{"ServicePrincipal":"controltower.amazonaws.com","DateEnabled":"2026-01-05T10:00:00+00:00"},{"ServicePrincipal":"config.amazonaws.com","DateEnabled":"2026-01-05T10:00:00+00:00"},{"ServicePrincipal":"cloudtrail.amazonaws.com","DateEnabled":"2026-01-05T10:00:00+00:00"}]}' ;;
  *) echo "aws stand-in: no answer for: $*" >&2; exit 1 ;;
esac
