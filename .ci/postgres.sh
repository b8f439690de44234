#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages when missing, starts the
# distribution's cluster when it is not running, and makes sure a role and a
# database for the tests exist. Idempotent, and quick when all is in place.
# Prints the libpq URL the tests use (SUNDIAL_TEST_POSTGRES) on stdout; all
# else goes to stderr.
set -euo pipefail

role=sundial
password=sundial
database=sundial

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	echo "postgres.sh: installing PostgreSQL" >&2
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The newest installed major version and its first cluster ("main").
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if [ ! -d "/etc/postgresql/$version/main" ]; then
	pg_createcluster "$version" main >&2
fi
port=$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)
if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
	echo "postgres.sh: starting PostgreSQL $version" >&2
	pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
fi

psql_admin() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAtX "$@"; }
# The server may still be starting; wait for it to accept connections.
for _ in $(seq 1 60); do
	if psql_admin -c 'SELECT 1' >/dev/null 2>&1; then break; fi
	sleep 0.5
done
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
	psql_admin -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
	psql_admin -c "CREATE DATABASE $database OWNER $role" >&2
fi
echo "postgres://$role:$password@127.0.0.1:$port/$database?sslmode=disable"
