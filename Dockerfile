# syntax=docker/dockerfile:1
# One image for the worker, the API and the migration job; the command picks the role:
#   docker run krithi-import worker | serve | migrate
# bin/krithi-import.js runs the TypeScript sources through tsx (a runtime dependency), so there is
# no separate build step.

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
# Code stays root-owned and read-only for the unprivileged user that runs it.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY data ./data
USER node
ENTRYPOINT ["node", "bin/krithi-import.js"]
CMD ["serve"]
