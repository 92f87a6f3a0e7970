# syntax=docker/dockerfile:1
#
# One image, two processes sharing one database (PostgreSQL when they run on separate hosts):
#   docker run IMAGE                  -> the bot (`mednanny serve`; health and the bridge's internal
#                                        call on port 8081). Slack with MEDNANNY__SLACK__APP_TOKEN and
#                                        MEDNANNY__SLACK__BOT_TOKEN; WhatsApp with
#                                        MEDNANNY__INTERNAL__SECRET and MEDNANNY__BOT__BRIDGE_URL;
#                                        always MEDNANNY__SECURITY__DATA_KEY
#   docker run IMAGE twilio-bridge    -> the WhatsApp bridge (port 8082): Twilio's webhooks in, the
#                                        outbox out. Needs the same data key and internal secret,
#                                        MEDNANNY__TWILIO__AUTH_TOKEN, __ACCOUNT_SID, __PUBLIC_URL,
#                                        __WHATSAPP_FROM, and MEDNANNY__BRIDGE__BOT_URL
#   docker run -it IMAGE mednanny chat --as NAME -> the console

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# The target dir is a cache mount, so it is not part of the layer: copy the
# binaries out to /out in the same step. Only the two the image runs: `mednanny migrate` applies
# migrations in it, and `mednanny-migrate` (which can also drop them) would be another fat-LTO link.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin mednanny --bin twilio-bridge \
 && mkdir -p /out \
 && cp target/release/mednanny target/release/twilio-bridge /out/

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 mednanny \
 && useradd --system --uid 10001 --gid mednanny --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin mednanny

WORKDIR /app
COPY --from=builder /out/mednanny /out/twilio-bridge /usr/local/bin/
COPY config/ /app/config/
RUN mkdir -p /app/data && chown mednanny:mednanny /app/data
VOLUME /app/data

ENV MEDNANNY_ENV=production
# Inside a container the HTTP servers must listen beyond loopback.
ENV MEDNANNY__API__LISTEN=0.0.0.0:8081
ENV MEDNANNY__BRIDGE__LISTEN=0.0.0.0:8082
# glibc gives each thread its own malloc arena; with tokio's workers and SQLite's checkpoint
# threads that grows peak memory for nothing (docs/benchmarks.md, Slack throughput).
ENV MALLOC_ARENA_MAX=2
USER mednanny
EXPOSE 8081 8082

# The bridge runs from this same image: override the command with `twilio-bridge`.
# SIGTERM (docker stop) makes `serve` stop taking envelopes, finish what it accepted, exit 0, and
# the bridge stop taking webhooks (Twilio retries them) and finish the sends under way.
STOPSIGNAL SIGTERM
CMD ["mednanny", "serve"]
