# syntax=docker/dockerfile:1
#
# One image, two processes:
#   docker run IMAGE                  -> the Slack bot (`mednanny serve`; health on port 8081);
#                                        needs MEDNANNY__SLACK__APP_TOKEN, MEDNANNY__SLACK__BOT_TOKEN
#                                        and MEDNANNY__SECURITY__DATA_KEY
#   docker run -it IMAGE mednanny chat --as NAME -> the console
#   docker run IMAGE twilio-bridge    -> the WhatsApp bridge (port 8082)

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# The target dir is a cache mount, so it is not part of the layer: copy the
# binaries out to /out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p bot -p twilio-bridge \
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
# Inside a container the health server must listen beyond loopback.
ENV MEDNANNY__API__LISTEN=0.0.0.0:8081
# glibc gives each thread its own malloc arena; with tokio's workers and SQLite's checkpoint
# threads that grows peak memory for nothing (docs/benchmarks.md, Slack throughput).
ENV MALLOC_ARENA_MAX=2
USER mednanny
EXPOSE 8081 8082

# The bridge runs from this same image: override the command with
# `twilio-bridge` (it listens on MEDNANNY__BRIDGE__LISTEN, default
# 127.0.0.1:8082; set it to 0.0.0.0:8082 inside a container).
# SIGTERM (docker stop) makes `serve` stop taking envelopes, finish what it acknowledged, exit 0.
STOPSIGNAL SIGTERM
CMD ["mednanny", "serve"]
