# syntax=docker/dockerfile:1
# One image for the worker, the API and the migration job; the command picks the role:
#   docker run krithi-import worker | serve | migrate
# Production mode: the image runs the JavaScript that `npm run build` compiled into dist/ and
# loads the workflow bundle built at image-build time (WORKFLOW_BUNDLE_PATH), so neither tsx nor
# webpack runs when a container starts.

FROM node:20-slim AS build
WORKDIR /app
# patches/: fixes to dependencies that npm's postinstall (patch-package) applies.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
RUN npm run build

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
# Code stays root-owned and read-only for the unprivileged user that runs it. dist/ mirrors src/
# (migrations beside the runner), and data/ sits where the compiled code looks for it.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
COPY data ./data
USER node
# Bounded V8 heaps make V8 collect sooner, and two malloc arenas stop glibc keeping one per thread:
# measured worker RSS ~265 MB under load instead of 440–555 MB, and an upload of 100,000 rows grows
# the API by 37 MB instead of 163 MB (docs/PERFORMANCE.md, Tuning).
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["node", "--max-old-space-size=192", "--max-semi-space-size=8", "dist/cli/main.js"]
CMD ["serve"]
