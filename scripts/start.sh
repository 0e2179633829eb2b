#!/usr/bin/env bash
# `npm start`: from a fresh clone, install, build and start the dashboard on the embedded SQLite store at
# http://${HOST:-127.0.0.1}:${PORT:-3000}. As root on Linux it also runs the agent for this host against it
# (VETHWATCH_LOCAL_AGENT=0 turns that off), so a newcomer sees their own machine.
set -euo pipefail
cd "$(dirname "$0")/.."

export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-3000}
export VETHWATCH_DB=${VETHWATCH_DB:-./data/vethwatch.db}
export NODE_ENV=production
# data/ holds the database and the tokens: private to this user whatever the umask (lib/store makes the database
# files 0600 itself).
mkdir -p data
chmod 700 data

log() { echo "[vethwatch] $*" >&2; }

# The supported Node.js (24): this machine's own if it is new enough, else a pinned one fetched once into .tools/.
source scripts/node-runtime.sh
vethwatch_use_node "$PWD"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# Rebuild only when a source file is newer than the last build.
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib next.config.ts package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  log "building the dashboard (next build)"
  npx next build
fi

# The agent's shared token: taken from the environment, else generated once and kept beside the database, never
# in the repository.
# The same for the operator token, which a person pastes into "Sign in as operator" to remediate; viewers need none.
token_from_file() { # VAR FILE
  if [ -z "${!1:-}" ]; then
    if [ ! -s "$2" ]; then
      (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' >"$2")
    fi
    printf -v "$1" '%s' "$(cat "$2")"
    export "${1?}"
  fi
}
token_from_file VETHWATCH_AGENT_TOKEN data/agent-token
token_from_file VETHWATCH_OPERATOR_TOKEN data/operator-token

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# The server's stdout goes through tee below, so it cannot see this terminal: readable log lines when there is one,
# JSON lines otherwise (lib/log/logger.ts).
if [ -t 1 ]; then export VETHWATCH_LOG_FORMAT=${VETHWATCH_LOG_FORMAT:-pretty}; fi

ready=$(mktemp)
node --import tsx server/main.ts > >(tee "$ready") &
pids+=($!)
for _ in $(seq 1 600); do
  grep -q "vethwatch listening on" "$ready" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { log "the server exited during start-up"; exit 1; }
  sleep 0.1
done
rm -f "$ready"

if [ "${VETHWATCH_LOCAL_AGENT:-1}" != 0 ] && [ "$(id -u)" = 0 ] && [ "$(uname -s)" = Linux ]; then
  log "running the agent for this host (VETHWATCH_LOCAL_AGENT=0 turns it off)"
  # The token goes through the environment (exported above), not the command line: see scripts/local-agent.sh.
  VETHWATCH_SPOOL_DIR=${VETHWATCH_SPOOL_DIR:-./data/spool} scripts/local-agent.sh "http://$HOST:$PORT" --remediate &
  pids+=($!)
elif [ "${VETHWATCH_LOCAL_AGENT:-1}" != 0 ]; then
  log "not root: the local agent needs root to read pod network namespaces; start it with sudo to see this host"
fi

log "dashboard: http://$HOST:$PORT (operators sign in with the token in data/operator-token unless VETHWATCH_OPERATOR_TOKEN is set)"
wait -n "${pids[@]}"
