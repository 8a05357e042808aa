/* state.json: what `create` learnt about a container and later commands
 * need. Written to a temporary file and renamed, so that a crash leaves the
 * old state or the new, never half of one. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"

#define STATE_FILE "state.json"

static int fail(sbx_error *err, int code, const char *what)
{
	if (err) {
		err->code = code;
		err->stage = SBX_STAGE_RUN;
		snprintf(err->message, sizeof(err->message), "container state: %s: %s", what,
			 strerror(code));
	}
	return -code;
}

int container_save(int dirfd, const struct container *c, sbx_error *err)
{
	json_t *ann = c->annotations ? json_loads(c->annotations, 0, NULL) : NULL;
	json_t *hooks = c->hooks ? json_loads(c->hooks, 0, NULL) : NULL;
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:s, s:o, s:o}", "id", c->id,
			      "bundle", c->bundle, "pid", (json_int_t)c->pid, "pid_start",
			      (json_int_t)c->pid_start, "created", c->created, "started",
			      c->started, "cgroups", c->cgroups, "annotations",
			      ann ? ann : json_object(), "hooks", hooks ? hooks : json_object());
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!text)
		return fail(err, ENOMEM, "encode");
	int r = 0;
	errno = 0;
	int fd = openat(dirfd, STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0)
		r = fail(err, errno ? errno : EIO, "write " STATE_FILE);
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = fail(err, errno, "write " STATE_FILE);
	if (r == 0 && renameat(dirfd, STATE_FILE ".tmp", dirfd, STATE_FILE) < 0)
		r = fail(err, errno, "rename " STATE_FILE);
	if (r < 0)
		unlinkat(dirfd, STATE_FILE ".tmp", 0);
	free(text);
	return r;
}

int container_load(int dirfd, struct container *c, sbx_error *err)
{
	memset(c, 0, sizeof(*c));
	int fd = openat(dirfd, STATE_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errno, "open " STATE_FILE);
	json_error_t jerr;
	json_t *o = json_loadfd(fd, 0, &jerr);
	close(fd);
	const char *id, *bundle, *created, *cgroups;
	json_int_t pid, start;
	int started;
	json_t *ann = NULL, *hooks = NULL;
	if (!o ||
	    json_unpack(o, "{s:s, s:s, s:I, s:I, s:s, s:b, s:s, s?o, s?o}", "id", &id, "bundle",
			&bundle, "pid", &pid, "pid_start", &start, "created", &created, "started",
			&started, "cgroups", &cgroups, "annotations", &ann, "hooks", &hooks) < 0) {
		json_decref(o);
		return fail(err, EBADMSG, STATE_FILE " is damaged");
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->bundle, sizeof(c->bundle), "%s", bundle);
	snprintf(c->created, sizeof(c->created), "%s", created);
	snprintf(c->cgroups, sizeof(c->cgroups), "%s", cgroups);
	c->pid = (pid_t)pid;
	c->pid_start = (unsigned long long)start;
	c->started = started;
	if (ann && json_object_size(ann))
		c->annotations = json_dumps(ann, JSON_COMPACT);
	if (hooks && json_object_size(hooks))
		c->hooks = json_dumps(hooks, JSON_COMPACT);
	json_decref(o);
	return 0;
}

void container_free(struct container *c)
{
	free(c->annotations);
	c->annotations = NULL;
	free(c->hooks);
	c->hooks = NULL;
}

char *container_oci_state(const struct container *c, const char *status)
{
	json_t *ann = c->annotations ? json_loads(c->annotations, 0, NULL) : NULL;
	bool stopped = !strcmp(status, "stopped");
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "ociVersion", "1.2.0", "id",
			      c->id, "status", status, "pid", (json_int_t)(stopped ? 0 : c->pid),
			      "bundle", c->bundle, "created", c->created, "annotations",
			      ann ? ann : json_object());
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	return text;
}
