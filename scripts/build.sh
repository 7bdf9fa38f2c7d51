#!/usr/bin/env bash
# Compiles src/ to dist/ (ESM JavaScript and .d.ts) with the files the report page reads at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
tsc -p tsconfig.build.json
cp src/report/page/page-client.js src/report/page/page-style.css dist/report/page/
chmod +x dist/cli/rpcbench.js
