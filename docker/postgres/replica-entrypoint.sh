#!/bin/sh
# The replica's entrypoint. On first start (compose starts it once the primary is healthy) it clones the primary with
# pg_basebackup, which also writes standby.signal and the connection to the primary; then the official entrypoint finds
# the data directory initialised and starts PostgreSQL as a hot standby, streaming through the slot "replica".
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
    --host="$PRIMARY_HOST" --port=5432 --username=replicator \
    --pgdata="$PGDATA" --wal-method=stream --slot=replica --write-recovery-conf --progress
fi

exec docker-entrypoint.sh "$@"
