/* test-pipe-proto.c — the pipe.sock wire format (intake/pipe-proto.h) that
 * the dcvmail-pipe client writes and the pipe server reads: what one side
 * writes the other reads back unchanged. */
#include <stdlib.h>
#include "unit.h"
#include "intake/pipe-proto.h"
#include "intake/pipe.h"

int
main(void)
{
	char head[PIPE_PROTO_HEAD_MAX], req[PIPE_PROTO_HEAD_MAX + 64];
	struct pipe_proto_head h = { "ca@example.test", "admin@example.test", "webmaster@example.test", 1, "4XyZ9kq0Wz" },
			       got;
	struct pipe_request pr;
	const char *msg, *text;
	size_t hl, msglen;

	hl = pipe_proto_write_head(head, sizeof(head), &h);
	CHECK_STR(head,
		  "dcvmail-pipe 1\nsender ca@example.test\nrcpt admin@example.test\norig webmaster@example.test\n"
		  "queue-id 4XyZ9kq0Wz\ndry-run\n\n",
		  "the client's request head");
	memcpy(req, head, hl);
	memcpy(req + hl, "Subject: x\n\nbody\n", 17);
	CHECK(pipe_proto_read_head(req, hl + 17, &got, &msg, &msglen) == 0, "the server reads it");
	CHECK_STR(got.sender, h.sender, "sender comes back");
	CHECK_STR(got.rcpt, h.rcpt, "recipient comes back");
	CHECK_STR(got.orig, h.orig, "original recipient comes back");
	CHECK(got.dry_run == 1, "dry-run comes back");
	CHECK_STR(got.queue_id, "4XyZ9kq0Wz", "the queue id comes back");
	CHECK(msglen == 17 && memcmp(msg, "Subject: x\n\nbody\n", 17) == 0, "the message follows unchanged");

	h = (struct pipe_proto_head){ NULL, "admin@example.test", NULL, 0, NULL };
	hl = pipe_proto_write_head(head, sizeof(head), &h);
	CHECK_STR(head, "dcvmail-pipe 1\nrcpt admin@example.test\n\n",
		  "without a queue id the request is what clients sent before it existed");
	memcpy(req, head, hl);
	CHECK(pipe_request_parse(req, hl, &pr) == 0 && pr.sender == NULL && pr.orig == NULL && !pr.dry_run &&
		      !strcmp(pr.rcpt, "admin@example.test") && pr.len == 0 && pr.queue_id == NULL,
	      "absent envelope values stay absent (pipe_request_parse)");
	strcpy(req, "dcvmail-pipe 1\nrcpt a@example.test\nqueue-id 4XyZ9kq0Wz\n\nx");
	CHECK(pipe_request_parse(req, strlen(req), &pr) == 0 && pr.queue_id && !strcmp(pr.queue_id, "4XyZ9kq0Wz"),
	      "the server takes the queue id");
	strcpy(req, "dcvmail-pipe 1\nqueue-id a b\n\nx");
	CHECK(pipe_request_parse(req, strlen(req), &pr) == 0 && pr.queue_id == NULL,
	      "a queue id that is not one is not logged");
	CHECK(pipe_proto_queue_id_ok("4XyZ9kq0Wz") && pipe_proto_queue_id_ok("1A2B3C4D5E") &&
		      pipe_proto_queue_id_ok("1pXyZa-000abc-12") && !pipe_proto_queue_id_ok("") &&
		      !pipe_proto_queue_id_ok("a b") && !pipe_proto_queue_id_ok("x:y") && !pipe_proto_queue_id_ok(NULL),
	      "queue ids: Postfix's short and long forms and Exim's pass; blanks, colons, empty do not");

	{
		char *big = malloc(PIPE_PROTO_HEAD_MAX);
		memset(big, 'a', PIPE_PROTO_HEAD_MAX - 1);
		big[PIPE_PROTO_HEAD_MAX - 1] = '\0';
		h = (struct pipe_proto_head){ big, NULL, NULL, 0, NULL };
		CHECK(pipe_proto_write_head(head, sizeof(head), &h) >= sizeof(head),
		      "an envelope over the limit does not fit (the client defers)");
		free(big);
	}
	CHECK(!pipe_proto_value_ok("a@b\nrcpt evil@x") && !pipe_proto_value_ok("a\r") && pipe_proto_value_ok("a@b") &&
		      pipe_proto_value_ok(NULL),
	      "values with CR or LF cannot be sent (they would add envelope lines)");
	strcpy(req, "dcvmail-pipe 2\n\nx");
	CHECK(pipe_proto_read_head(req, strlen(req), &got, &msg, &msglen) == -1, "another version is refused");
	strcpy(req, "dcvmail-pipe 1\nbcc x\n\nx");
	CHECK(pipe_proto_read_head(req, strlen(req), &got, &msg, &msglen) == -1, "an unknown line is refused");

	strcpy(req, "x");
	CHECK(pipe_proto_write_status(req, sizeof(req), 0) == 2 && !strcmp(req, "0\n"), "status 0 is written \"0\\n\"");
	strcat(req, "dry run text\n");
	CHECK(pipe_proto_read_answer(req, &text) == 0 && !strcmp(text, "dry run text\n"), "and read back as 0");
	pipe_proto_write_status(req, sizeof(req), 75);
	strcat(req, "4.3.0 why\n");
	CHECK(pipe_proto_read_answer(req, &text) == 75 && !strcmp(text, "4.3.0 why\n"), "75 with its reason");
	strcpy(req, "00\n");
	CHECK(pipe_proto_read_answer(req, &text) == 75, "only exactly \"0\" means recorded");
	strcpy(req, "0");
	CHECK(pipe_proto_read_answer(req, &text) == -1, "an answer without its first line ended is none");
	UNIT_DONE();
}
