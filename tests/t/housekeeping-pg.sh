# tests/t/housekeeping.sh on a PostgreSQL ledger: prune (what goes and what
# always stays) on a private PostgreSQL, and backup refused with its reason.
STORE_BACKEND=postgresql
. "$TOP/tests/t/housekeeping.sh"
