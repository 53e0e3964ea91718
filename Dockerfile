# syntax=docker/dockerfile:1

# Rapport's production image: compiled JavaScript on Node 20, dev dependencies left out.
#   docker build -t rapport .
#   docker run -p 3000:3000 -e MONGODB_URI=... -e REDIS_URL=... rapport

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile the TypeScript sources to dist/ -----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY jobs ./jobs
RUN npx tsc -p tsconfig.build.json

# --- runtime: production dependencies and dist/ only, as the unprivileged `node` user -------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

COPY --from=build /app/dist ./dist

USER node
EXPOSE 3000

# /healthz says the process is up; Node's own fetch spares installing curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', \
{ signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), \
() => process.exit(1))"]

CMD ["node", "dist/src/main.js", "start"]
