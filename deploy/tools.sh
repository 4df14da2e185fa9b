#!/usr/bin/env bash
# Pinned tools that check the deployment files, installed once into $EGOV_CACHE_DIR/tools
# (outside the clone) through their ordinary registries. Prints the tool's path:
#
#   deploy/tools.sh kustomize | podman-compose | kubernetes-validate | all
#
# kustomize comes from the Go module proxy; podman-compose and kubernetes-validate (which
# carries the Kubernetes API schemas, so validation needs no cluster and no download) from PyPI.
set -euo pipefail

KUSTOMIZE_VERSION="v5.8.2"
PODMAN_COMPOSE_VERSION="1.6.0"
KUBERNETES_VALIDATE_VERSION="1.34.1"

cache="${EGOV_CACHE_DIR:-$HOME/.cache/egov}/tools"
python="${PYTHON:-python3.11}"

say() { printf '[tools] %s\n' "$*" >&2; }

kustomize() {
  local dir="$cache/kustomize-$KUSTOMIZE_VERSION"
  if [ ! -x "$dir/kustomize" ]; then
    command -v go >/dev/null 2>&1 || { say "go is missing: install Go 1.24 or newer"; exit 1; }
    say "installing kustomize $KUSTOMIZE_VERSION into $dir (once)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    GOBIN="$dir.tmp" GOTOOLCHAIN=local go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/kustomize"
}

python_tools() {  # python_tools <executable>
  local dir="$cache/py-compose$PODMAN_COMPOSE_VERSION-k8s$KUBERNETES_VALIDATE_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    say "installing podman-compose $PODMAN_COMPOSE_VERSION and kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $dir (once)"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install -q "podman-compose==$PODMAN_COMPOSE_VERSION" \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
    touch "$dir/.complete"
  fi
  echo "$dir/bin/$1"
}

mkdir -p "$cache"
case "${1:-}" in
  kustomize) kustomize ;;
  podman-compose) python_tools podman-compose ;;
  kubernetes-validate) python_tools kubernetes-validate ;;
  all) kustomize; python_tools podman-compose; python_tools kubernetes-validate ;;
  *) echo "usage: $0 kustomize|podman-compose|kubernetes-validate|all" >&2; exit 2 ;;
esac
