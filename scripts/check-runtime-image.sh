#!/usr/bin/env bash
# What can be checked of the Docker image without a Docker engine: the runtime
# stage's files, installed the way the Dockerfile installs them (production
# dependencies only, no toolchain), start with the image's command and answer
# /healthz and a feed request. Also checks the Dockerfile keeps its promises.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "runtime image check: $*" >&2; exit 1; }
grep -q '^FROM node:22' Dockerfile || fail "the runtime is not on Node 22 LTS"
[ "$(grep -c '^FROM ' Dockerfile)" -ge 2 ] || fail "the Dockerfile is not multi-stage"
grep -q 'npm ci --omit=dev' Dockerfile || fail "the runtime stage does not install production dependencies only"
grep -q '^USER node' Dockerfile || fail "the runtime stage does not run as a non-root user"
grep -q '^HEALTHCHECK' Dockerfile || fail "no HEALTHCHECK"
grep -q 'HOST=0.0.0.0' Dockerfile || fail "the image does not listen on 0.0.0.0"
cmd=$(grep '^CMD' Dockerfile | tail -1)
[ "$cmd" = 'CMD ["node", "dist/src/server.js"]' ] || fail "unexpected CMD: $cmd"

npx tsc -p tsconfig.build.json
stage=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$stage"' EXIT
cp package.json package-lock.json "$stage/"
cp -r dist "$stage/dist"
(cd "$stage" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)
[ ! -d "$stage/node_modules/typescript" ] || fail "devDependencies were installed"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
(cd "$stage" && NODE_ENV=production HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn node dist/src/server.js > "$stage/server.log" 2>&1) &
pid=$!
get() { node -e "fetch(process.argv[1]).then(async (r) => { if (!r.ok) process.exit(1); process.stdout.write(await r.text()) }, () => process.exit(1))" "$1"; }
for _ in $(seq 1 50); do
  get "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
get "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || { cat "$stage/server.log" >&2; fail "/healthz did not answer"; }
get "http://127.0.0.1:$port/odata/Tasks?\$top=1" | grep -q '"@odata.context"' || { cat "$stage/server.log" >&2; fail "the feed did not answer"; }
echo "runtime image check: production-only install starts with the image's command and answers /healthz and /odata/Tasks"
