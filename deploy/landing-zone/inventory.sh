#!/usr/bin/env bash
# Builds a Governance inventory snapshot (README: "Inventory snapshot") from the AWS and Azure CLIs and prints it.
#   deploy/landing-zone/inventory.sh --aws --azure <root management group> > snapshot.json
#   curl -sf -X POST "$GATEWAY/api/governance/inventory" -H "X-Api-Key: $KEY" \
#        -H 'Content-Type: application/json' --data-binary @snapshot.json
# Needs jq, and the aws and/or az CLI signed in (Organizations read access in the management account;
# Reader on the root management group). A cloud left out of the snapshot is left as it is.
set -euo pipefail

# Taken before reading anything: an event after this time wins over what the snapshot says.
taken_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
aws_json=null
azure_json=null

read_aws() {
  local roots root parent children accounts_json ous='[]' accounts='[]' policies='[]' queue ids id policy targets services
  roots=$(aws organizations list-roots --output json)
  root=$(jq -r '.Roots[0].Id' <<<"$roots")
  queue=("$root")
  # Breadth first from the root: each parent's OUs and accounts (the CLI follows the pages itself).
  while ((${#queue[@]})); do
    parent=${queue[0]}
    queue=("${queue[@]:1}")
    children=$(aws organizations list-organizational-units-for-parent --parent-id "$parent" --output json)
    ous=$(jq --arg p "$parent" --argjson c "$children" '. + [$c.OrganizationalUnits[] | {id: .Id, name: .Name, parentId: $p}]' <<<"$ous")
    mapfile -t ids < <(jq -r '.OrganizationalUnits[].Id' <<<"$children")
    queue+=("${ids[@]}")
    accounts_json=$(aws organizations list-accounts-for-parent --parent-id "$parent" --output json)
    accounts=$(jq --arg p "$parent" --argjson a "$accounts_json" '. + [$a.Accounts[] | {id: .Id, name: .Name, parentId: $p, status: .Status}]' <<<"$accounts")
  done
  for id in $(aws organizations list-policies --filter SERVICE_CONTROL_POLICY --query 'Policies[].Id' --output text); do
    policy=$(aws organizations describe-policy --policy-id "$id" --output json)
    targets=$(aws organizations list-targets-for-policy --policy-id "$id" --output json)
    policies=$(jq --argjson d "$policy" --argjson t "$targets" \
      '. + [$d.Policy | {id: .PolicySummary.Id, name: .PolicySummary.Name, type: .PolicySummary.Type, content: .Content, targets: [$t.Targets[].TargetId]}]' <<<"$policies")
  done
  services=$(aws organizations list-aws-service-access-for-organization --output json)
  aws_json=$(jq -n --argjson roots "$roots" --argjson ous "$ous" --argjson accounts "$accounts" --argjson policies "$policies" --argjson services "$services" '{
      root: {id: $roots.Roots[0].Id},
      organizationalUnits: $ous,
      accounts: $accounts,
      policies: $policies,
      settings: {
        enabledPolicyTypes: [$roots.Roots[0].PolicyTypes[]? | select(.Status == "ENABLED") | .Type],
        trustedServices: [$services.EnabledServicePrincipals[]?.ServicePrincipal]
      }
    }')
}

read_azure() {
  local root=$1 tree scopes assignments='[]' exemptions='[]' scope subscription
  tree=$(az account management-group show --name "$root" --expand --recurse --output json)
  # Assignments and exemptions of every group (at its exact scope), and of every subscription with what is below it.
  for scope in $(jq -r 'def groups: .name, (.children[]? | select(.type | test("managementGroups$"; "i")) | groups); groups' <<<"$tree"); do
    assignments=$(jq -s '.[0] + .[1]' <(echo "$assignments") \
      <(az policy assignment list --scope "/providers/Microsoft.Management/managementGroups/$scope" --output json))
    exemptions=$(jq -s '.[0] + .[1]' <(echo "$exemptions") \
      <(az policy exemption list --scope "/providers/Microsoft.Management/managementGroups/$scope" --output json))
  done
  for subscription in $(jq -r 'def subs: .children[]? | if (.type | test("subscriptions$"; "i")) then .name else subs end; subs' <<<"$tree"); do
    assignments=$(jq -s '.[0] + .[1]' <(echo "$assignments") \
      <(az policy assignment list --subscription "$subscription" --disable-scope-strict-match --output json))
    exemptions=$(jq -s '.[0] + .[1]' <(echo "$exemptions") \
      <(az policy exemption list --subscription "$subscription" --disable-scope-strict-match --output json))
  done
  azure_json=$(jq -n --argjson tree "$tree" --argjson assignments "$assignments" --argjson exemptions "$exemptions" '
    def groups($parent): {id: .name, name: .displayName, parentId: $parent},
      (.name as $me | .children[]? | select(.type | test("managementGroups$"; "i")) | groups($me));
    def subs: .name as $me | .children[]?
      | if (.type | test("subscriptions$"; "i")) then {id: .name, name: .displayName, managementGroupId: $me} else subs end;
    {
      managementGroups: [$tree | groups(.details.parent.name // null)],
      subscriptions: [$tree | subs],
      policyAssignments: [$assignments[] | {id, policyDefinitionId, enforcementMode,
        effect: ((.parameters // {}) | to_entries | map(select(.key | ascii_downcase == "effect")) | .[0].value.value // null)}]
        | unique_by(.id | ascii_downcase),
      policyExemptions: [$exemptions[] | {id, policyAssignmentId, exemptionCategory, expiresOn}] | unique_by(.id | ascii_downcase)
    }')
}

while (($#)); do
  case $1 in
    --aws) read_aws; shift ;;
    --azure) read_azure "${2:?--azure needs the root management group}"; shift 2 ;;
    *) echo "usage: $0 [--aws] [--azure <root management group>]" >&2; exit 2 ;;
  esac
done
if [[ $aws_json == null && $azure_json == null ]]; then
  echo "usage: $0 [--aws] [--azure <root management group>]" >&2
  exit 2
fi
jq -n --arg t "$taken_at" --argjson aws "$aws_json" --argjson azure "$azure_json" \
  '{takenAt: $t} + (if $aws then {aws: $aws} else {} end) + (if $azure then {azure: $azure} else {} end)'
