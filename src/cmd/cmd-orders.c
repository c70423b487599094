/* cmd-orders.c — `orders [--all] [--json] [ORDER]`: what each certificate
 * order still waits for; `done ORDER STEP` and `cancel ORDER`: what a
 * person did outside mail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/json.h"
#include "base/width.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/orders.h"
#include "cmd/report.h"
#include "ledger/orders.h"

/* columns as wide as they look: a Japanese character takes two */
static int
width(const char *s)
{
	return (int)text_width(s);
}

static void
cell(FILE *f, const char *s, int w)
{
	int pad = w - width(s);

	fputs(s, f);
	while (pad-- > 0)
		fputc(' ', f);
	fputc(' ', f);
}

struct summary {
	char domains[32], waiting[160];
	const struct order_step *intent, *docs, *issued;
	long overdue; /* seconds past its most overdue step, 0: none */
	const char *overdue_step;
};

static void
summarise(const struct config *cfg, const struct order *o, time_t now, struct summary *sm)
{
	int done = 0, total = 0;
	const struct order_step *oldest = NULL;
	char a[32];

	memset(sm, 0, sizeof(*sm));
	for (size_t i = 0; i < o->nsteps; i++) {
		const struct order_step *s = &o->steps[i];
		if (!strncmp(s->name, "dcv ", 4)) {
			total++;
			done += s->state == STEP_DONE || s->state == STEP_NOT_NEEDED;
		} else if (!strcmp(s->name, "intent"))
			sm->intent = s;
		else if (!strcmp(s->name, "documents"))
			sm->docs = s;
		else if (!strcmp(s->name, "issued"))
			sm->issued = s;
		if (s->state == STEP_ASKED && (oldest == NULL || s->asked < oldest->asked))
			oldest = s;
	}
	snprintf(sm->domains, sizeof(sm->domains), "%d/%d", done, total);
	if (oldest)
		snprintf(sm->waiting, sizeof(sm->waiting), "%s %s", oldest->name,
			 fmt_age((long)(now - oldest->asked), a, sizeof(a)));
	else if (o->cancelled)
		snprintf(sm->waiting, sizeof(sm->waiting), "cancelled");
	else if (!o->issued && total && done == total)
		snprintf(sm->waiting, sizeof(sm->waiting), "issuance");
	else
		snprintf(sm->waiting, sizeof(sm->waiting), "-");
	if ((sm->overdue = order_overdue(cfg, o, now, &sm->overdue_step)) > 0) {
		size_t l = strlen(sm->waiting);
		if (!strcmp(sm->overdue_step, "issuance")) /* waiting for the CA since the last answer */
			snprintf(sm->waiting, sizeof(sm->waiting), "issuance OVERDUE");
		else
			snprintf(sm->waiting + l, sizeof(sm->waiting) - l, " OVERDUE");
	}
}

/* issue 21 item 5: the email validation behind each step of one order, as
 * report --sunset judges it (found = 0: not validated by email) */
struct step_sunset {
	struct sunset_row row;
	int found;
};

static int
load_sunset(struct store *st, const struct order *o, struct step_sunset **out, char **errp)
{
	*out = xreallocarray(NULL, o->nsteps ? o->nsteps : 1, sizeof(**out));
	memset(*out, 0, (o->nsteps ? o->nsteps : 1) * sizeof(**out));
	for (size_t i = 0; i < o->nsteps; i++)
		if (!strncmp(o->steps[i].name, "dcv ", 4) && o->steps[i].request_id &&
		    store_sunset_request(st, o->steps[i].request_id, &(*out)[i].row, &(*out)[i].found, errp) == -1)
			return -1;
	return 0;
}

static void
sunset_free(struct step_sunset *ss, size_t n)
{
	for (size_t i = 0; ss && i < n; i++)
		if (ss[i].found) {
			free(ss[i].row.domain);
			free(ss[i].row.ca);
			free(ss[i].row.roles);
		}
	free(ss);
}

static json_t *
step_json(const struct order_step *s, const struct step_sunset *ss, time_t now)
{
	json_t *o = json_object();
	char t[32];

	json_object_set_new(o, "step", json_string(s->name));
	json_object_set_new(o, "state", json_string(step_state_name(s->state)));
	json_object_set_new(o, "asked", s->asked ? json_string(fmt_time(s->asked, t, sizeof(t))) : json_null());
	json_object_set_new(o, "decided", s->decided ? json_string(fmt_time(s->decided, t, sizeof(t))) : json_null());
	json_object_set_new(o, "by", json_string_or_null(s->by));
	json_object_set_new(o, "note", json_string_or_null(s->note));
	json_object_set_new(o, "request", s->request_id ? json_integer(s->request_id) : json_null());
	if (ss && !strncmp(s->name, "dcv ", 4))
		json_object_set_new(o, "email_validation", ss->found ? sunset_json(&ss->row, now) : json_null());
	return o;
}

static json_t *
order_json(const struct config *cfg, const struct order *o, const struct step_sunset *ss, time_t now)
{
	json_t *j = json_object(), *steps = json_array();
	struct summary sm;
	char t[32];

	summarise(cfg, o, now, &sm);
	json_object_set_new(j, "order", json_string(o->ref));
	json_object_set_new(j, "ca", json_string(o->ca));
	json_object_set_new(j, "order_id", json_string_or_null(o->order_id));
	json_object_set_new(j, "state", json_string(o->cancelled ? "cancelled" : o->issued ? "issued" : "open"));
	json_object_set_new(j, "asked", json_string(fmt_time(o->asked, t, sizeof(t))));
	json_object_set_new(j, "domains_validated", json_string(sm.domains));
	json_object_set_new(j, "waiting", json_string(sm.waiting));
	json_object_set_new(j, "overdue_seconds", sm.overdue > 0 ? json_integer(sm.overdue) : json_null());
	json_object_set_new(j, "overdue_step", json_string_or_null(sm.overdue > 0 ? sm.overdue_step : NULL));
	json_object_set_new(j, "routed_to", json_string_or_null(o->routed));
	json_object_set_new(j, "ambiguous_with", json_string_or_null(o->ambiguous));
	for (size_t i = 0; i < o->nsteps; i++)
		json_array_append_new(steps, step_json(&o->steps[i], ss ? &ss[i] : NULL, now));
	json_object_set_new(j, "steps", steps);
	if (o->events) {
		json_t *ev = json_array();
		for (size_t i = 0; i < o->nevents; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "at", json_string(fmt_time(o->events[i].at, t, sizeof(t))));
			json_object_set_new(e, "kind", json_string(o->events[i].kind));
			json_object_set_new(e, "text", json_string(o->events[i].text));
			json_object_set_new(e, "who", json_string_or_null(o->events[i].who));
			json_array_append_new(ev, e);
		}
		json_object_set_new(j, "history", ev);
	}
	return j;
}

static void
put_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

/* a table cell: "-" for a step nobody asked for */
static const char *
step_word(const struct order_step *s)
{
	return s && s->state != STEP_NOT_ASKED ? step_state_name(s->state) : "-";
}

static void
list_orders(const struct config *cfg, const struct order *v, size_t n, time_t now, int all)
{
	struct strv c = { 0 };
	int w[8] = { 5, 7, 10, 10, 9, 4, 7, 0 }; /* ORDER DOMAINS INTENT DOCUMENTS ISSUED AGE WAITING */
	struct summary sm;
	char a[32];

	/* the columns are sized to what they hold */
	for (size_t i = 0; i < n; i++) {
		summarise(cfg, &v[i], now, &sm);
		int x = width(text_clean_in(&c, v[i].ref));
		w[0] = x > w[0] ? x : w[0];
		x = width(text_clean_in(&c, sm.waiting));
		w[6] = x > w[6] ? x : w[6];
	}
	strv_free(&c);
	cell(stdout, "ORDER", w[0]);
	cell(stdout, "DOMAINS", w[1]);
	cell(stdout, "INTENT", w[2]);
	cell(stdout, "DOCUMENTS", w[3]);
	cell(stdout, "ISSUED", w[4]);
	cell(stdout, "AGE", w[5]);
	cell(stdout, "WAITING", w[6]);
	printf("ROUTED-TO\n");
	for (size_t i = 0; i < n; i++) {
		const struct order *o = &v[i];
		summarise(cfg, o, now, &sm);
		cell(stdout, text_clean_in(&c, o->ref), w[0]);
		cell(stdout, sm.domains, w[1]);
		cell(stdout, step_word(sm.intent), w[2]);
		cell(stdout, step_word(sm.docs), w[3]);
		cell(stdout, o->cancelled ? "cancelled" : step_word(sm.issued), w[4]);
		cell(stdout, fmt_age((long)(now - o->asked), a, sizeof(a)), w[5]);
		cell(stdout, text_clean_in(&c, sm.waiting), w[6]);
		printf("%s%s%s\n", o->routed ? text_clean_in(&c, o->routed) : "-",
		       o->ambiguous ? "  AMBIGUOUS: or " : "", o->ambiguous ? text_clean_in(&c, o->ambiguous) : "");
		strv_free(&c);
	}
	if (n == 0)
		printf("(no %sorders)\n", all ? "" : "open ");
}

/* the DCV steps validated by email, as report --sunset shows them */
static void
show_sunset(const struct order *o, const struct step_sunset *ss, time_t now)
{
	struct sunset_row *rows = xreallocarray(NULL, o->nsteps ? o->nsteps : 1, sizeof(*rows));
	size_t k = 0;

	for (size_t i = 0; i < o->nsteps; i++)
		if (ss[i].found)
			rows[k++] = ss[i].row;
	if (k) {
		printf("validated by email (as report --sunset judges it):\n");
		sunset_table(stdout, "  ", rows, k, now, NULL, NULL);
	}
	free(rows);
}

static void
show_order(const struct config *cfg, const struct order *o, const struct step_sunset *ss, time_t now)
{
	struct strv c = { 0 };
	struct summary sm;
	char t[32], t2[32];

	summarise(cfg, o, now, &sm);
	printf("order %s: %s, asked %s, %s domain%s validated, waiting: %s\n", text_clean_in(&c, o->ref),
	       o->cancelled ? "cancelled"
	       : o->issued  ? "issued"
			    : "open",
	       fmt_local(o->asked, t, sizeof(t)), sm.domains, strcmp(sm.domains, "1/1") ? "s" : "",
	       text_clean_in(&c, sm.waiting));
	if (o->ambiguous)
		printf("  AMBIGUOUS: its mail carries no order id and could belong to %s\n",
		       text_clean_in(&c, o->ambiguous));
	if (o->routed)
		printf("  routed to %s\n", text_clean_in(&c, o->routed));
	printf("steps:\n");
	int nw = 24; /* the step column, as wide as the widest name looks */
	for (size_t i = 0; i < o->nsteps; i++)
		if (width(text_clean_in(&c, o->steps[i].name)) > nw)
			nw = width(text_clean_in(&c, o->steps[i].name));
	for (size_t i = 0; i < o->nsteps; i++) {
		const struct order_step *s = &o->steps[i];
		fputs("  ", stdout);
		cell(stdout, text_clean_in(&c, s->name), nw);
		printf("%-10s", step_state_name(s->state));
		if (s->asked)
			printf(" asked %s", fmt_local(s->asked, t, sizeof(t)));
		if (s->decided)
			printf("%s%s %s", s->asked ? ", " : " ",
			       s->state == STEP_REFUSED	     ? "refused"
			       : s->state == STEP_NOT_NEEDED ? "said"
							     : "done",
			       fmt_local(s->decided, t2, sizeof(t2)));
		if (s->by)
			printf(" by %s", text_clean_in(&c, s->by));
		if (s->note)
			printf(": %s", text_clean_in(&c, s->note));
		if (s->request_id)
			printf(" (request %lld)", (long long)s->request_id);
		printf("\n");
	}
	show_sunset(o, ss, now);
	printf("history:\n");
	for (size_t i = 0; i < o->nevents; i++)
		printf("  %s  %s%s%s\n", fmt_local(o->events[i].at, t, sizeof(t)), text_clean_in(&c, o->events[i].text),
		       o->events[i].who ? " — " : "", o->events[i].who ? text_clean_in(&c, o->events[i].who) : "");
	strv_free(&c);
}

/* overdue orders first, the most overdue at the top; the rest keep their order */
static void
overdue_first(const struct config *cfg, struct order *v, size_t n, time_t now)
{
	struct order *sorted = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	long *od = xreallocarray(NULL, n ? n : 1, sizeof(*od));
	size_t k = 0;
	const char *w;

	if (n == 0) {
		free(sorted);
		free(od);
		return;
	}
	for (size_t i = 0; i < n; i++)
		od[i] = order_overdue(cfg, &v[i], now, &w);
	for (;;) { /* selection: n is small (the open orders) */
		long best = 0;
		size_t bi = 0;
		for (size_t i = 0; i < n; i++)
			if (od[i] > best)
				best = od[i], bi = i;
		if (best == 0)
			break;
		sorted[k++] = v[bi];
		od[bi] = -1;
	}
	for (size_t i = 0; i < n; i++)
		if (od[i] == 0)
			sorted[k++] = v[i];
	memcpy(v, sorted, n * sizeof(*v));
	free(sorted);
	free(od);
}

int
cmd_orders(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
					    { "json", no_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	static const char usage[] = "usage: dcvmail orders [--all] [--json] [ORDER]\n";
	int all = 0, json = 0, ch, r;
	struct config cfg;
	struct store *st;
	struct order *v;
	size_t n;
	char *err = NULL;
	time_t now = time(NULL);

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else if (ch == 'j')
			json = 1;
		else if (ch == 'h') {
			printf("%s  one line per open order: domains validated of all, intent, documents, issued,\n"
			       "  age, the oldest step waiting and for how long, who it was routed to\n"
			       "  --all   finished (issued, cancelled) orders too\n"
			       "  --json  one JSON object per order\n"
			       "  ORDER   CA:ORDER-ID, CA:@DOMAIN (mail without an order id) or an order id: its\n"
			       "          steps with their evidence, each name validated by email as report\n"
			       "          --sunset judges it, and its whole history\n",
			       usage);
			return 0;
		} else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	const char *ref = optind < argc ? argv[optind] : NULL;
	if (store_orders(st, now, all || ref, ref != NULL, &v, &n, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	if (ref) {
		long i = orders_find(v, n, ref, &err);
		struct step_sunset *ss = NULL;
		if (i < 0)
			r = EXIT_DATAERR;
		else if (load_sunset(st, &v[i], &ss, &err) == -1)
			r = EXIT_TEMPFAIL;
		else if (json)
			put_json(order_json(&cfg, &v[i], ss, now));
		else
			show_order(&cfg, &v[i], ss, now);
		sunset_free(ss, i < 0 ? 0 : v[i].nsteps);
	} else {
		overdue_first(&cfg, v, n, now);
		if (json)
			for (size_t i = 0; i < n; i++)
				put_json(order_json(&cfg, &v[i], NULL, now));
		else
			list_orders(&cfg, v, n, now, all);
	}
	orders_free(v, n);
	return cmd_finish(&cfg, st, r, err);
}

/* done ORDER STEP / cancel ORDER: a person's word, appended to the order */
static int
mark(struct globals *g, const char *ref, const char *step, const char *state, const char *note)
{
	struct config cfg;
	struct store *st;
	struct order *v;
	size_t n;
	char *err = NULL, who[64], *name = NULL;
	int r;
	long i;

	if ((r = cmd_open_ledger(g, &cfg, 0, &st)) != 0)
		return r;
	if (store_orders(st, time(NULL), 1, 0, &v, &n, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	if ((i = orders_find(v, n, ref, &err)) < 0) {
		orders_free(v, n);
		return cmd_finish(&cfg, st, EXIT_DATAERR, err);
	}
	/* "dcv:www.example.jp" is "dcv www.example.jp" */
	if (step) {
		name = xstrdup(step);
		if (!strncmp(name, "dcv:", 4))
			name[3] = ' ';
	}
	cmd_login_name(who, sizeof(who));
	if (store_order_mark(st, &v[i], name, state, who, note, &err) == -1)
		r = err && strstr(err, "has no step") ? EXIT_DATAERR : EXIT_TEMPFAIL;
	else {
		struct strv c = { 0 };
		if (name)
			printf("order %s: %s marked %s by %s\n", text_clean_in(&c, v[i].ref), text_clean_in(&c, name),
			       state, text_clean_in(&c, who));
		else
			printf("order %s cancelled by %s (dcvmail sends nothing to the CA: cancel it on the CA's "
			       "portal too)\n",
			       text_clean_in(&c, v[i].ref), text_clean_in(&c, who));
		strv_free(&c);
	}
	free(name);
	orders_free(v, n);
	return cmd_finish(&cfg, st, r, err);
}

static int
note_option(int argc, char **argv, const char **note, int *not_needed, const char *usage)
{
	static const struct option lo[] = { { "note", required_argument, NULL, 'N' },
					    { "not-needed", no_argument, NULL, 'x' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'N')
			*note = optarg;
		else if (ch == 'x' && not_needed)
			*not_needed = 1;
		else if (ch == 'h') {
			fputs(usage, stdout);
			return 1;
		} else {
			fputs(usage, stderr);
			return -1;
		}
	}
	return 0;
}

int
cmd_done(struct globals *g, int argc, char **argv)
{
	static const char usage[] =
		"usage: dcvmail done ORDER STEP [--note TEXT] [--not-needed]\n"
		"  STEP: intent, documents, issued, or dcv:DOMAIN; --not-needed: this order needs no such step\n";
	const char *note = NULL;
	int nn = 0, r = note_option(argc, argv, &note, &nn, usage);

	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	if (optind + 2 != argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return mark(g, argv[optind], argv[optind + 1], nn ? "not-needed" : "done", note);
}

int
cmd_cancel(struct globals *g, int argc, char **argv)
{
	static const char usage[] = "usage: dcvmail cancel ORDER [--note TEXT]\n";
	const char *note = NULL;
	int r = note_option(argc, argv, &note, NULL, usage);

	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return mark(g, argv[optind], NULL, "cancel", note);
}
