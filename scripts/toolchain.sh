#!/usr/bin/env bash
# Sourced by the other scripts: puts a Node that Backstage 1.55 supports (22 or 24)
# first on PATH, makes `yarn` the committed Yarn release, and points Yarn at the
# registry npm is configured for. Nothing here names a registry host: it is read
# from npm's own config at run time, so the same files work behind a mirror.
#
# Backstage 1.55 refuses Node 20, which many machines still have. When the `node`
# on PATH is not 22 or 24, Node 24 is fetched from the npm registry (the
# `node-linux-<arch>` package holds the binary and the headers node-gyp needs)
# into .toolchain/, which git ignores.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_DIR="$REPO_ROOT/.toolchain"
NODE_PACKAGE_VERSION="24.21.0"
YARN_RELEASE="$REPO_ROOT/.yarn/releases/yarn-4.13.0.cjs"

log() { printf '[toolchain] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local system_node major
  system_node="$(command -v node || true)"
  if [ -n "$system_node" ]; then
    major="$(node_major "$system_node")"
    if [ "$major" = 22 ] || [ "$major" = 24 ]; then
      return 0
    fi
  fi

  local node_dir="$TOOLCHAIN_DIR/node-$NODE_PACKAGE_VERSION"
  if [ ! -x "$node_dir/bin/node" ]; then
    command -v npm >/dev/null || {
      log "Neither Node 22/24 nor npm was found; install Node 22 or 24 (or npm) first."
      exit 1
    }
    local arch package tmp
    case "$(uname -m)" in
      x86_64 | amd64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) log "No Node package for $(uname -m); install Node 22 or 24 yourself." && exit 1 ;;
    esac
    case "$(uname -s)" in
      Linux) package="node-linux-$arch" ;;
      Darwin) package="node-darwin-$arch" ;;
      *) log "Unsupported OS $(uname -s); install Node 22 or 24 yourself." && exit 1 ;;
    esac
    log "node on PATH is ${system_node:-missing} (major ${major:-none}); fetching $package@$NODE_PACKAGE_VERSION from the npm registry"
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$package@$NODE_PACKAGE_VERSION" >/dev/null)
    mkdir -p "$node_dir"
    tar -xzf "$tmp"/*.tgz -C "$node_dir" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$node_dir/bin:$PATH"
  # node-gyp would otherwise download headers from the internet.
  export npm_config_nodedir="$node_dir"
}

ensure_yarn() {
  # A `yarn` on PATH that runs the committed release; no corepack, no global install.
  mkdir -p "$TOOLCHAIN_DIR/bin"
  cat >"$TOOLCHAIN_DIR/bin/yarn" <<EOF
#!/bin/sh
exec node "$YARN_RELEASE" "\$@"
EOF
  chmod +x "$TOOLCHAIN_DIR/bin/yarn"
  export PATH="$TOOLCHAIN_DIR/bin:$PATH"
}

ensure_registry() {
  if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ] && command -v npm >/dev/null; then
    local registry
    registry="$(npm config get registry 2>/dev/null || true)"
    if [ -n "$registry" ] && [ "$registry" != "undefined" ]; then
      export YARN_NPM_REGISTRY_SERVER="${registry%/}"
    fi
  fi
  # npm's CA bundle, when it has one, is the one that reaches that registry.
  if [ -z "${YARN_CA_FILE_PATH:-}" ] && command -v npm >/dev/null; then
    local cafile
    cafile="$(npm config get cafile 2>/dev/null || true)"
    if [ -n "$cafile" ] && [ "$cafile" != "null" ] && [ "$cafile" != "undefined" ] && [ -f "$cafile" ]; then
      export YARN_CA_FILE_PATH="$cafile"
    fi
  fi
}

ensure_node
ensure_yarn
ensure_registry
export YARN_ENABLE_TELEMETRY=0
# `yarn add` in a TypeScript project asks Algolia's npm index whether to add
# @types/<package> too. Where only the registry is reachable, that request
# fails and crashes Yarn 4.13 ("The `onCancel` handler was attached after
# the promise settled"); the packages we add ship their own types.
export YARN_TS_ENABLE_AUTO_TYPES="${YARN_TS_ENABLE_AUTO_TYPES:-false}"
log "node $(node --version) at $(command -v node), yarn $(yarn --version)"
