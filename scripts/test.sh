#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the services they use, runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-system-deps.sh
npm run -s typecheck
npm run -s lint
npm run -s test:unit
