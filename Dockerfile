# syntax=docker/dockerfile:1
# edgetail container image: one image for the agent (sidecar / DaemonSet) and the collector.
#
#   docker build -t edgetail:0.1.0 .
#   docker run --rm -v "$PWD/examples/agent-sidecar.yaml:/etc/edgetail/edgetail.yaml:ro" edgetail:0.1.0
#
# Three stages: `build` compiles TypeScript with the dev dependencies, `deps` installs the production
# dependencies only (a clean `npm ci --omit=dev`, not a pruned dev tree), and the final stage copies
# just the compiled code, the production node_modules and the shipped data files onto a slim Node 20
# base. Expected size: ~300 MB uncompressed (node:20-bookworm-slim ~200 MB + production node_modules
# ~85 MB + dist ~2 MB); see docs/deployment.md. scripts/docker-dryrun.sh runs the same steps without
# Docker. Keep the two in step.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-dashboard.mjs ./scripts/
COPY src ./src
COPY sinks ./sinks
COPY dashboards ./dashboards
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
# Type declarations and source maps are not needed at run time (they are more than half of the
# files). npm's cache stays in this stage: only node_modules moves on.
RUN npm ci --omit=dev --no-audit --no-fund \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    EDGETAIL_LOG=info
WORKDIR /opt/edgetail
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/sinks ./dist/sinks
COPY --from=build /src/dist/dashboards ./dist/dashboards
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY docker/edgetail.yaml /etc/edgetail/edgetail.yaml
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
# The `node` user of the base image (uid/gid 1000), numeric so that Kubernetes' runAsNonRoot can
# verify it. data_dir (checkpoints, disk buffers, dead letters) is the only writable path.
RUN ln -s /opt/edgetail/bin/edgetail.js /usr/local/bin/edgetail \
 && mkdir -p /var/lib/edgetail \
 && chown 1000:1000 /var/lib/edgetail
USER 1000:1000
VOLUME ["/var/lib/edgetail"]
EXPOSE 8686
# /health answers 200 once the API listens (no token needed). EDGETAIL_HEALTH_URL overrides the URL
# when api.address is not port 8686.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/opt/edgetail/docker/healthcheck.mjs", "http://127.0.0.1:8686/health"]
ENTRYPOINT ["edgetail"]
CMD ["run", "--config", "/etc/edgetail/edgetail.yaml"]
