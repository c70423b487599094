# tests/t/store.sh on a PostgreSQL ledger (issue 18): the same store checks,
# each state directory with a database of its own on a private PostgreSQL.
STORE_BACKEND=postgresql
. "$TOP/tests/t/store.sh"
