#!/usr/bin/env bash
# Offline Kubernetes tooling for the chart checks (test/deploy/chart.test.ts): Helm, kubeconform and
# the Kubernetes JSON schemas. Nothing runs in the background; `start` only provisions (cached).
#
# - helm and kubeconform are built with `go install` through the Go module proxy (lib.sh's
#   go_install_cached), cached under $EDGETAIL_TEST_CACHE/helm. A go-install-built helm defaults to
#   Kubernetes 1.20: always pass --kube-version.
# - The schemas come from the PyPI package kubernetes-validate, which bundles standalone strict
#   schemas per Kubernetes minor (kubernetes_validate/kubernetes-json-schema/v1.NN.0-local-strict/
#   <kind>-<group>-<version>.json). Only the wheel is downloaded (`pip download --no-deps`) and
#   unpacked; nothing is installed into any Python environment. Their refs point at
#   "/api/_definitions.json#/$defs/…" under the $id https://kubernetes.io/api/…, which the package
#   resolves with its own registry but kubeconform would fetch over HTTPS (and fail): the refs are
#   rewritten to file:// URLs of the _definitions.json beside each schema.
#
# Prints HELM=…, KUBECONFORM=…, SCHEMA_DIR=… (the folder holding the v1.NN.0-local-strict folders) and
# KUBECONFORM_SCHEMA_LOCATION=… (the -schema-location template for kubeconform).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

HELM_VERSION="${HELM_VERSION:-v3.21.4}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.7.0}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
cache="$EDGETAIL_TEST_CACHE/helm"
schemas="$cache/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
schema_dir="$schemas/kubernetes_validate/kubernetes-json-schema"

provision_schemas() {
  [ -f "$schemas/.complete" ] && return 0
  local pip
  pip="$(command -v pip3 || command -v pip || true)"
  [ -n "$pip" ] || { echo "helm: pip is needed to fetch the kubernetes-validate schemas" >&2; return 1; }
  local dl="$cache/wheels"
  mkdir -p "$dl"
  echo "helm: fetching kubernetes-validate $KUBERNETES_VALIDATE_VERSION schemas (first run only)" >&2
  "$pip" download --quiet --no-deps --only-binary=:all: -d "$dl" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
  local whl
  whl="$(ls "$dl"/kubernetes_validate-"$KUBERNETES_VALIDATE_VERSION"-*.whl | head -1)"
  rm -rf "$schemas.tmp" && mkdir -p "$schemas.tmp"
  python3 -m zipfile -e "$whl" "$schemas.tmp" >&2
  [ -d "$schemas.tmp/kubernetes_validate/kubernetes-json-schema" ] ||
    { echo "helm: no kubernetes-json-schema folder in $whl" >&2; return 1; }
  # Make the refs local (see the header). The folder's final path is written into the files, so the
  # rewrite runs on the final location.
  rm -rf "$schemas" && mv "$schemas.tmp" "$schemas"
  python3 - "$schema_dir" >&2 <<'PY'
import os, sys
root = sys.argv[1]
for d in sorted(os.listdir(root)):
    folder = os.path.join(root, d)
    if not os.path.isdir(folder):
        continue
    target = '"file://' + folder + '/_definitions.json#'
    for name in os.listdir(folder):
        if name.endswith('.json'):
            p = os.path.join(folder, name)
            with open(p, encoding='utf-8') as f:
                text = f.read()
            new = text.replace('"/api/_definitions.json#', target)
            if new != text:
                with open(p, 'w', encoding='utf-8') as f:
                    f.write(new)
PY
  touch "$schemas/.complete"
}

helm_bin() { echo "$cache/bin/helm-$HELM_VERSION"; }
kubeconform_bin() { echo "$cache/bin/kubeconform-$KUBECONFORM_VERSION"; }

print_lines() {
  echo "HELM=$(helm_bin)"
  echo "KUBECONFORM=$(kubeconform_bin)"
  echo "SCHEMA_DIR=$schema_dir"
  # kubeconform fills the template per resource: v1.33.0 + -local + -strict / deployment-apps-v1.json
  echo "KUBECONFORM_SCHEMA_LOCATION=$schema_dir/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
}

case "${1:-}" in
  start)
    go_install_cached helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$cache" >/dev/null
    go_install_cached kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" "$cache" >/dev/null
    provision_schemas
    print_lines
    ;;
  status)
    [ -x "$(helm_bin)" ] && [ -x "$(kubeconform_bin)" ] && [ -f "$schemas/.complete" ] || exit 1
    print_lines
    ;;
  stop)
    # Nothing runs in the background.
    ;;
  *)
    echo "usage: $0 {start|status|stop}" >&2
    exit 64
    ;;
esac
