#!/bin/sh
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d): a replication role, a physical
# replication slot for the replica (so the primary keeps the WAL it has not streamed yet), and the pg_hba line that
# lets the role connect for replication. wal_level=replica and max_wal_senders are PostgreSQL's defaults.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('replica');
SQL

echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
