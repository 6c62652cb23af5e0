#!/usr/bin/env bash
# A stand-in for the Azure CLI in the inventory recipe's test: the answers of `az account management-group show
# --expand --recurse` and `az policy assignment|exemption list` for the example landing zone's Azure side.
set -euo pipefail
mg=/providers/Microsoft.Management/managementGroups
group() { jq -n --arg id "$1" --arg name "$2" --argjson children "$3" '{id: ("/providers/Microsoft.Management/managementGroups/" + $id), type: "Microsoft.Management/managementGroups", name: $id, displayName: $name, children: $children}'; }
subscription() { jq -n --arg id "$1" --arg name "$2" '{id: ("/subscriptions/" + $id), type: "Microsoft.Management/managementGroups/subscriptions", name: $id, displayName: $name, children: null}'; }
assignment() { jq -n --arg scope "$1" --arg name "$2" --arg definition "$3" --arg effect "$4" '{id: ($scope + "/providers/Microsoft.Authorization/policyAssignments/" + $name), name: $name, scope: $scope, type: "Microsoft.Authorization/policyAssignments", policyDefinitionId: $definition, enforcementMode: "Default", parameters: {effect: {value: $effect}}, identity: null, location: null}'; }
case "$*" in
  "account management-group show --name alz --expand --recurse --output json")
    platform=$(group alz-platform Platform "[$(subscription 11111111-2222-3333-4444-555555555555 management)]")
    corp=$(group alz-corp Corp "[$(subscription 22222222-3333-4444-5555-666666666666 corp-payments)]")
    landingzones=$(group alz-landingzones "Landing zones" "[$corp]")
    sandbox=$(group alz-sandbox Sandbox null)
    group alz "Landing zones root" "[$platform, $landingzones, $sandbox]" \
      | jq '. + {details: {parent: {id: "/providers/Microsoft.Management/managementGroups/00000000-0000-0000-0000-00000000aaaa", name: "00000000-0000-0000-0000-00000000aaaa", displayName: "Tenant Root Group"}}}' ;;
  "policy assignment list --scope $mg/alz --output json")
    echo "[$(assignment $mg/alz audit-diagnostics /providers/Microsoft.Authorization/policySetDefinitions/diagnostics AuditIfNotExists)]" ;;
  "policy assignment list --scope $mg/alz-landingzones --output json")
    echo "[$(assignment $mg/alz-landingzones deny-public-ip /providers/Microsoft.Authorization/policyDefinitions/6c112d4e-5bc7-47ae-a041-ea2d9dccd749 Deny)]" ;;
  # A subscription's list includes what it inherits: the same assignments again, which the recipe keeps once.
  "policy assignment list --subscription 22222222-3333-4444-5555-666666666666 --disable-scope-strict-match --output json")
    echo "[$(assignment $mg/alz audit-diagnostics /providers/Microsoft.Authorization/policySetDefinitions/diagnostics AuditIfNotExists), $(assignment $mg/alz-landingzones deny-public-ip /providers/Microsoft.Authorization/policyDefinitions/6c112d4e-5bc7-47ae-a041-ea2d9dccd749 Deny)]" ;;
  "policy assignment list "*) echo '[]' ;;
  "policy exemption list "*) echo '[]' ;;
  *) echo "az stand-in: no answer for: $*" >&2; exit 1 ;;
esac
