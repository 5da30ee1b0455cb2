# Stage `build` has the dev tools (used by compose's deploy and migrate jobs);
# the final stage runs either app: `node dist/apps/api/...` or, with the worker's Node flags as in
# `npm run start:worker`, `node --max-semi-space-size=64 dist/apps/worker/...`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY --from=build /app/artifacts ./artifacts
USER node
CMD ["node", "dist/apps/api/apps/api/src/main.js"]
