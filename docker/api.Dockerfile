# syntax=docker/dockerfile:1
# Multi-stage image of the HTX Số API. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t htx-api .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM deps AS check
COPY . .
RUN npx tsc -p apps/api/tsconfig.json --noEmit

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY scripts/register.js ./scripts/register.js
COPY libs ./libs
COPY apps/api/src ./apps/api/src
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:3000/api/health || exit 1
# Migrations run at start (serialised by an advisory lock, so several replicas may start together).
CMD ["node", "-r", "./scripts/register.js", "apps/api/src/main.ts"]
