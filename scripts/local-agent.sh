#!/usr/bin/env bash
# The agent for this host, as `npm start` runs it: `scripts/local-agent.sh SERVER_URL [agent flags...]`.
# The token comes from VETHWATCH_AGENT_TOKEN in the environment, never from the command line, where every user of
# the host could read it (ps, /proc/<pid>/cmdline). exec, so the agent is this process: a signal to it stops the agent.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VETHWATCH_AGENT_TOKEN:?VETHWATCH_AGENT_TOKEN must be set (the agent reads it from the environment)}"
export VETHWATCH_AGENT_TOKEN
server=${1:?usage: scripts/local-agent.sh SERVER_URL [agent flags...]}
shift
exec node --import tsx agent/cli.ts --server "$server" "$@"
