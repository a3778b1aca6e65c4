#!/usr/bin/env bash
# Known vulnerabilities in what ships: npm audit of the production dependencies only (not the build and test
# tools), at every severity. Exit 0 when clean; npm audit's non-zero exit when it finds something or cannot ask
# the registry (the audit endpoint is a POST to registry.npmjs.org: a read-only mirror refuses it with 405).
#
#   usage: bash scripts/audit.sh [extra npm audit options, e.g. --json]
set -euo pipefail
cd "$(dirname "$0")/.."
exec npm audit --omit=dev --audit-level=low "$@"
