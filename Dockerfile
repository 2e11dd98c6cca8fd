# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t authmon .
# Run:   docker run -d --name authmon -p 127.0.0.1:8080:8080 \
#          -v authmon-data:/var/lib/authmon \
#          -v "$PWD/checks.toml:/etc/authmon/checks.toml:ro" authmon
# The config is read from /etc/authmon/checks.toml (AUTHMON_CONFIG), the
# SQLite file lives in the /var/lib/authmon volume (AUTHMON_DB). The image
# holds the binary, CA certificates and time zones, and runs as nonroot
# (65532, numeric so that runAsNonRoot can verify it).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Pure Go (modernc SQLite): a static binary, built with the flags CI's
# release build uses (.ci/run), the version stamped for `monitor version`
# and authmon_build_info.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/monitor ./cmd/monitor \
    && /out/monitor version \
    && mkdir -p /out/data

# distroless static: no shell, no package manager; CA certificates for HTTPS
# checks and tzdata for CRON_TZ schedules are included. Debian 12 based,
# supported with security updates.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/monitor /usr/local/bin/monitor
COPY --from=build --chown=65532:65532 /out/data /var/lib/authmon
COPY checks.example.toml /etc/authmon/checks.toml
USER 65532:65532
ENV AUTHMON_CONFIG=/etc/authmon/checks.toml \
    AUTHMON_DB=/var/lib/authmon/monitor.db \
    AUTHMON_LISTEN=0.0.0.0:8080
VOLUME /var/lib/authmon
EXPOSE 8080
# The image has no wget or curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/monitor", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/monitor"]
CMD ["serve"]
