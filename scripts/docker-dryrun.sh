#!/usr/bin/env bash
# Runs the Dockerfile's install/build steps without a Docker engine, in a temporary directory
# (test/helpers/docker-dryrun.ts reads the Dockerfile and carries out its WORKDIR/ENV/COPY/RUN steps),
# then imports every compiled module with the production dependencies only and validates the image's
# default config. Limits: docs/deployment.md ("Checking the image without Docker").
#   scripts/docker-dryrun.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx test/helpers/docker-dryrun.ts "$@"
