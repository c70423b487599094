/* token-cmd.h — an OAuth access token from a program (token-command in
 * dcvmail.conf(5)): run without a shell, with a timeout; the first line of
 * its output is the token. The token never goes into an error text. */
#ifndef DCVMAIL_TOKEN_CMD_H
#define DCVMAIL_TOKEN_CMD_H

/* Run argv[0] (looked up in PATH unless it holds a '/') with argv, stdin
 * /dev/null, for at most timeout seconds (then it and its process group are
 * killed). Returns the first line of its stdout (malloc'd; the caller wipes
 * it with token_free), or NULL with *errp: it could not run, timed out,
 * exited non-zero (with the first line of its stderr), or printed no token. */
char *token_cmd_run(char *const argv[], int timeout, char **errp);
/* Wipe and free a token (NULL is fine). */
void token_free(char *);
/* Whether prog can be run: 0, or -1 with *errp ("not found in PATH", "not
 * executable"). */
int token_cmd_findable(const char *prog, char **errp);

#endif
