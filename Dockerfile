# syntax=docker/dockerfile:1
# Build: docker build -t authmon .
# Run:   docker run -d -p 127.0.0.1:8080:8080 \
#          -v authmon-data:/var/lib/authmon \
#          -v "$PWD/checks.toml:/etc/authmon/checks.toml:ro" authmon
# The config is read from /etc/authmon/checks.toml (AUTHMON_CONFIG), the
# SQLite file lives in the /var/lib/authmon volume (AUTHMON_DB).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Pure Go (modernc SQLite): a static binary, the same build CI runs.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/monitor ./cmd/monitor

FROM alpine:3.20
# CA certificates for HTTPS checks, tzdata for CRON_TZ schedules.
RUN apk add --no-cache ca-certificates tzdata \
    && adduser -D -H -u 10001 authmon \
    && mkdir -p /var/lib/authmon /etc/authmon \
    && chown authmon /var/lib/authmon
COPY --from=build /out/monitor /usr/local/bin/monitor
COPY checks.example.toml /etc/authmon/checks.toml
USER authmon
ENV AUTHMON_CONFIG=/etc/authmon/checks.toml \
    AUTHMON_DB=/var/lib/authmon/monitor.db \
    AUTHMON_LISTEN=0.0.0.0:8080
VOLUME /var/lib/authmon
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/monitor"]
CMD ["serve"]
