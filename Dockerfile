# SimLane backend: one image for every role (ROLE=api, worker or all). Build: docker build -t simlane .
# Only the server (src/, tsconfig.build.json) is built: the offline replica, the local defaults (offline/) and the
# benchmarks (bench/) are checkout tools and never reach the image, so every service must be configured.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build:prod && test ! -e dist/offline && test ! -e dist/bench && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Migrations run at start under an advisory lock (MIGRATIONS_RUN), so any number of replicas may start at once.
CMD ["node", "dist/src/main.js"]
