# Gateway node image: `docker build -t gateway .`, run by docker-compose.yml (three nodes).
# Build stage: restore with the central package pins, publish only the node (src/Config embeds
# config.hocon as the default configuration, so it is copied in too).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /build
COPY global.json Directory.Build.props Directory.Packages.props config.hocon ./
COPY src/ src/
RUN dotnet publish src/Gateway.Node/Gateway.Node.csproj -c Release -o /out

# Runtime stage: ASP.NET runtime, curl for the health check, a non-root user owning /data and
# /etc/gateway/cluster (where docker-compose.yml's cluster-ca service writes the cluster's certificates).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data gateway \
 && mkdir -p /data /etc/gateway/cluster \
 && chown gateway /data /etc/gateway/cluster
WORKDIR /app
COPY --from=build /out ./
COPY config.hocon /etc/gateway/config.hocon
USER gateway
ENV GATEWAY_DATA_DIR=/data \
    GATEWAY_ADDRESS=0.0.0.0:8443 \
    GATEWAY_SSH_ADDRESS=0.0.0.0:2222 \
    GATEWAY_CLUSTER_PORT=4053 \
    GATEWAY_STATUS_ADDRESS=0.0.0.0:8081
# 8443 HTTPS routes, 2222 SSH tunnels, 8081 status (/healthz and /readyz open; /status and
# POST /drain need GATEWAY_STATUS_TOKEN or cluster.status_token_file: publish it on a private or
# loopback address only). The cluster (4053) and the relay stay on loopback unless a cluster is
# configured: a node that other hosts can reach on them needs cluster.tls (docker-compose.yml,
# docs/cluster.md), so the image does not open them by default.
EXPOSE 8443 2222 8081
VOLUME /data
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s CMD curl -fsS http://127.0.0.1:8081/readyz || exit 1
ENTRYPOINT ["/app/Gateway.Node"]
CMD ["--config", "/etc/gateway/config.hocon"]
