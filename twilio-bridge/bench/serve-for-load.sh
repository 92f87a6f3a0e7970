#!/usr/bin/env bash
# Starts the release `twilio-bridge` the way ../shared/peers/load_twilio.py starts its peer, so the
# two are measured side by side in one run (docs/benchmarks.md, "WhatsApp bridge"):
#
#   python ../shared/peers/load_twilio.py --label twilio-bridge --workers 1 \
#     --server-cmd "$PWD/twilio-bridge/bench/serve-for-load.sh {port} {db}" \
#     --db /tmp/bridge-load-inbox.db --db-table inbox
#
# {db} is the inbox file the driver counts rows in; the main database is beside it, without
# "-inbox" (the bridge keeps webhooks in its own SQLite file, as in production). The driver signs
# with TWILIO_AUTH_TOKEN over http://127.0.0.1:{port}/twilio/whatsapp, which is the public URL here.
set -euo pipefail
port=$1
inbox=$2
main=${inbox%-inbox.db}.db
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CARGO_TARGET_DIR:-$root/target}/release
rm -f "$main" "$main-wal" "$main-shm"
export MEDNANNY_ENV=development
# As the Dockerfile runs it.
export MALLOC_ARENA_MAX=2
export MEDNANNY__DATABASE__URL="sqlite://$main?mode=rwc"
export MEDNANNY__SECURITY__DEV_KEY_FILE=/tmp/bridge-load-dev.key
export MEDNANNY__LOG__FILTER=warn
"$bin/mednanny" migrate >/dev/null
export MEDNANNY__BRIDGE__LISTEN="127.0.0.1:$port"
export MEDNANNY__TWILIO__AUTH_TOKEN="${TWILIO_AUTH_TOKEN:?the driver sets it}"
export MEDNANNY__TWILIO__ACCOUNT_SID=ACbench000000000000000000000000000
export MEDNANNY__TWILIO__PUBLIC_URL="http://127.0.0.1:$port"
export MEDNANNY__TWILIO__WHATSAPP_FROM=+14155238886
export MEDNANNY__INTERNAL__SECRET=bench-internal-secret-0123456789
# No bot in this measurement: the bridge's "a message is waiting" call finds nobody (port 9).
export MEDNANNY__BRIDGE__BOT_URL=http://127.0.0.1:9
exec "$bin/twilio-bridge"
