#!/usr/bin/env bash
# Builds the base and head commits of a Go GeeRPC service, starts both, and compares them with
# rpcbench's duet gate. Exit status: the gate's (0 pass, 1 regression, 2 unusable), or 2 when a
# build or start fails.
#
#   gate-go-service.sh <repo> <base-ref> <head-ref> <service-dir> <scenario.ts> <report-dir>
#
# Environment:
#   RPCBENCH_DIR   an rpcbench checkout with its packages installed (npm ci)
#   SERVER_ARGS    the service's arguments before its listen address (default: "server -exit-on-eof=false -listen")
#   BASE_PORT, HEAD_PORT   loopback ports the two builds listen on (default 19001, 19002)
#   GATE_ARGS      more options for the gate (e.g. "--max-slowdown 0.05")
set -euo pipefail

repo=$(cd "$1" && pwd); base_ref=$2; head_ref=$3; service_dir=$4
scenario=$(realpath "$5"); report=$(realpath -m "$6")
: "${RPCBENCH_DIR:?set RPCBENCH_DIR to an rpcbench checkout}"
server_args=${SERVER_ARGS:-server -exit-on-eof=false -listen}
base_port=${BASE_PORT:-19001}; head_port=${HEAD_PORT:-19002}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  git -C "$repo" worktree remove --force "$work/base" 2>/dev/null || true
  git -C "$repo" worktree remove --force "$work/head" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

build() { # <name> <ref>
  git -C "$repo" worktree add --detach --quiet "$work/$1" "$2"
  (cd "$work/$1/$service_dir" && go build -o "$work/$1.bin" .) || exit 2
}

start() { # <name> <port>
  # shellcheck disable=SC2086 # SERVER_ARGS is a list of words
  "$work/$1.bin" $server_args "tcp@127.0.0.1:$2" > "$work/$1.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "the $1 build did not listen on port $2; its log:" >&2
  cat "$work/$1.log" >&2
  exit 2
}

build base "$base_ref"
build head "$head_ref"
start base "$base_port"
start head "$head_port"

status=0
# shellcheck disable=SC2086 # GATE_ARGS is a list of words
npm --prefix "$RPCBENCH_DIR" run -s bench:gate -- "$scenario" \
  --baseline-target "tcp@127.0.0.1:$base_port" --baseline-pid "${pids[0]}" \
  --target "tcp@127.0.0.1:$head_port" --pid "${pids[1]}" \
  --report "$report" --json "$report/gate-duet.json" ${GATE_ARGS:-} || status=$?
exit "$status"
