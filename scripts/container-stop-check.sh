#!/bin/bash
# container-stop-check.sh: `docker stop` of the image is a clean, fast exit.
#
#   bash scripts/container-stop-check.sh [CONTAINER_PORT]
#   Env: HOST_PORT (default 18095), WORKDIR (default /tmp/container-check), MAX_STOP_MS (default 3000)
#
# Runs after ../shared/tools/container-check.sh, with the podman set-up it leaves behind (its WORKDIR's
# containers.conf and storage.conf, the image localhost/project-under-check:latest). Starts the image
# (without --rm, so its exit code can be read afterwards), waits for /healthz, then twice:
#   1. idle:      times `podman stop -t 10` (SIGTERM, SIGKILL after 10 s) and reads the exit code with
#                 `podman inspect`: it must be 0, and the stop must take less than MAX_STOP_MS;
#   2. in flight: a request delayed by `Prefer: latency=1500` is in flight when the stop comes: it must
#                 be answered 200, and the container exit 0 before the 10 s SIGKILL.
# Prints the measured stop times. Exit 0 only when both hold.
set -euo pipefail
CPORT=${1:-4010}
WORK=${WORKDIR:-/tmp/container-check}; HPORT=${HOST_PORT:-18095}; MAX_MS=${MAX_STOP_MS:-3000}
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
IMAGE=localhost/project-under-check:latest
podman image exists "$IMAGE" || { echo "container-stop-check: no $IMAGE; run ../shared/tools/container-check.sh first" >&2; exit 1; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }
fail=0
run_once() { # $1: idle|inflight
  local name="stop-check-$$-$1" cid start elapsed code answer=''
  cid=$(podman run -d --name "$name" -p "127.0.0.1:$HPORT:$CPORT" "$IMAGE")
  trap 'podman rm -f "'"$name"'" >/dev/null 2>&1 || true' RETURN
  for _ in $(seq 1 120); do
    curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$HPORT/healthz" 2>/dev/null && break
    sleep 0.25
  done
  curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$HPORT/healthz" || { echo "container-stop-check: $1: never healthy" >&2; podman logs "$cid" >&2; return 1; }
  local out
  out=$(mktemp)
  if [[ $1 == inflight ]]; then
    curl -sS -m 15 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sk_stop_check' -H 'Prefer: latency=1500' \
      "http://127.0.0.1:$HPORT/v1/namespaces/migrations/mig_copy_completes" >"$out" 2>/dev/null &
    local curl_pid=$!
    sleep 0.3
  fi
  start=$(ms)
  podman stop -t 10 "$cid" >/dev/null
  elapsed=$(( $(ms) - start ))
  code=$(podman inspect "$cid" --format '{{.State.ExitCode}}')
  if [[ $1 == inflight ]]; then wait "$curl_pid" || true; answer=$(cat "$out"); fi
  rm -f "$out"
  echo "$1: podman stop took ${elapsed} ms, exit code ${code}${answer:+, in-flight request answered $answer}"
  [[ $code == 0 ]] || { echo "container-stop-check: $1: exit code $code" >&2; podman logs "$cid" >&2 | tail -20; return 1; }
  if [[ $1 == idle ]]; then
    (( elapsed < MAX_MS )) || { echo "container-stop-check: idle stop took ${elapsed} ms (limit ${MAX_MS})" >&2; return 1; }
  else
    [[ $answer == 200 ]] || { echo "container-stop-check: the in-flight request got '$answer'" >&2; return 1; }
    (( elapsed < 10000 )) || { echo "container-stop-check: needed SIGKILL (${elapsed} ms)" >&2; return 1; }
  fi
}
run_once idle || fail=1
run_once inflight || fail=1
exit $fail
