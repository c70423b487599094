/* report-monitor.c — `report --check` (a Nagios/Icinga plugin: one status
 * line with perfdata, exit 0/1/2/3) and `report --prometheus` (the text
 * exposition format, for node_exporter's textfile collector). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/report.h"

int
report_check(const struct monitor_counts *mc, int alert_hours, time_t now, FILE *out)
{
	long long oldest = mc->oldest_pending ? (long long)(now - mc->oldest_pending) : 0;
	int st = mc->overdue				   ? MONITOR_CRITICAL
		 : mc->suspicious_24h || mc->outbox_failed ? MONITOR_WARNING
							   : MONITOR_OK;
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char a[32];

	fprintf(out, "DCVMAIL %s - ", names[st]);
	if (mc->overdue) {
		fmt_age((long)oldest, a, sizeof(a));
		fprintf(out, "%lld request%s waiting longer than %dh (oldest %s), ", mc->overdue,
			mc->overdue == 1 ? "" : "s", alert_hours, a);
	}
	if (mc->suspicious_24h)
		fprintf(out, "%lld suspicious message%s in 24h, ", mc->suspicious_24h,
			mc->suspicious_24h == 1 ? "" : "s");
	if (mc->outbox_failed)
		fprintf(out, "%lld action%s given up, ", mc->outbox_failed, mc->outbox_failed == 1 ? "" : "s");
	if (mc->orders_overdue)
		fprintf(out, "%lld order%s overdue, ", mc->orders_overdue, mc->orders_overdue == 1 ? "" : "s");
	fprintf(out, "%lld pending", mc->pending);
	/* perfdata: 'label'=value[UOM];warn;crit;min */
	fprintf(out,
		" | pending=%lld;;;0 overdue=%lld;;1;0 suspicious_24h=%lld;1;;0 outbox_failed=%lld;1;;0"
		" outbox_queued=%lld;;;0 oldest_pending=%llds;;%lld;0 orders_open=%lld;;;0 orders_overdue=%lld;1;;0\n",
		mc->pending, mc->overdue, mc->suspicious_24h, mc->outbox_failed, mc->outbox_queued, oldest,
		(long long)alert_hours * 3600, mc->orders_open, mc->orders_overdue);
	return st;
}

static void
gauge(FILE *f, const char *name, const char *help, long long v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

static int
write_metrics(FILE *f, const struct monitor_counts *mc, time_t now)
{
	gauge(f, "dcvmail_requests_pending", "Requests waiting for a person (pending or forwarded).", mc->pending);
	gauge(f, "dcvmail_requests_overdue", "Requests waiting longer than pending-alert.", mc->overdue);
	gauge(f, "dcvmail_oldest_pending_age_seconds", "Age of the oldest waiting request (0: none).",
	      mc->oldest_pending ? (long long)(now - mc->oldest_pending) : 0);
	gauge(f, "dcvmail_suspicious_messages_24h", "Messages judged suspicious in the last 24 hours.",
	      mc->suspicious_24h);
	gauge(f, "dcvmail_outbox_failed", "Actions given up on while their request still waits.", mc->outbox_failed);
	gauge(f, "dcvmail_outbox_queued", "Actions queued in the outbox.", mc->outbox_queued);
	gauge(f, "dcvmail_orders_open", "Certificate orders not issued nor cancelled.", mc->orders_open);
	gauge(f, "dcvmail_orders_overdue", "Open orders past their order-overdue hours.", mc->orders_overdue);
	fprintf(f, "# HELP dcvmail_requests Requests in the ledger by state.\n# TYPE dcvmail_requests gauge\n");
	for (int i = 0; i < MONITOR_NSTATES; i++)
		fprintf(f, "dcvmail_requests{state=\"%s\"} %lld\n", mc->state_name[i], mc->by_state[i]);
	gauge(f, "dcvmail_report_timestamp_seconds", "When these figures were read from the ledger.", (long long)now);
	return ferror(f) ? -1 : 0;
}

int
report_prometheus(const struct monitor_counts *mc, time_t now, const char *path, char **errp)
{
	char *tmp;
	int fd;
	FILE *f;

	if (!strcmp(path, "-"))
		return write_metrics(stdout, mc, now) == -1 || fflush(stdout) == EOF
			       ? (*errp = xasprintf("standard output: %s", strerror(errno)), -1)
			       : 0;
	/* the collector must never read half a file: write beside it, rename */
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	int bad = write_metrics(f, mc, now) == -1;
	bad |= fflush(f) == EOF;
	int e = errno;
	bad |= fclose(f) == EOF;
	if (bad || rename(tmp, path) == -1) {
		*errp = xasprintf("%s: %s", bad ? tmp : path, strerror(bad ? e : errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
