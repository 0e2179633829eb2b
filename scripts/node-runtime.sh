# Sourced by scripts/start.sh, scripts/test-all.sh and .ci/run: makes the supported Node.js (24 LTS) the one on PATH.
# A machine whose own `node` is 24 or newer is used as it is. An older one gets the pinned Node.js from the npm
# registry's node-linux-<arch> package, kept under .tools/ (not in git), with its headers for native addons.
VETHWATCH_NODE_VERSION=24.22.3
VETHWATCH_NODE_MAJOR=24

vethwatch_use_node() { # ROOT
  local root=$1 have arch dir old
  old=$(node -v 2>/dev/null || echo none)
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$have" -ge "$VETHWATCH_NODE_MAJOR" ]; then return 0; fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "[vethwatch] Node.js $VETHWATCH_NODE_MAJOR is needed and no package exists for $(uname -m); install it yourself" >&2; return 1 ;;
  esac
  dir=$root/.tools/node-$VETHWATCH_NODE_VERSION-$arch
  if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
    rm -rf "$dir"
    npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$dir" "node-linux-$arch@$VETHWATCH_NODE_VERSION" >/dev/null || return 1
  fi
  export PATH="$dir/node_modules/node-linux-$arch/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against these headers instead of downloading them.
  export npm_config_nodedir="$dir/node_modules/node-linux-$arch"
  echo "[vethwatch] this machine's Node.js is $old: using Node.js $(node -v) from .tools/ (the supported runtime)" >&2
}

