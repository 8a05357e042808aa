/* The run report: a JSON object with the verdict, the exit status and what
 * the sandbox used. Figures the run could not measure are null. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "resources.h"

static json_t *u64_or_null(uint64_t v, int present)
{
	return present ? json_integer((json_int_t)v) : json_null();
}

static json_t *build(const sbx_result *r, const char *error)
{
	json_t *o = json_object();
	if (!r) {
		json_object_set_new(o, "status",
				    json_string(sbx_status_name(SBX_STATUS_SETUP_ERROR)));
		json_object_set_new(o, "error", json_string(error ? error : ""));
		return o;
	}
	json_object_set_new(o, "status", json_string(sbx_status_name(r->status)));
	json_object_set_new(o, "exit_code", r->signal ? json_null() : json_integer(r->exit_code));
	json_object_set_new(o, "signal", r->signal ? json_integer(r->signal) : json_null());
	json_object_set_new(o, "signal_name",
			    r->signal ? json_sprintf("SIG%s", sigabbrev_np(r->signal)
								      ? sigabbrev_np(r->signal)
								      : "?")
				      : json_null());
	json_object_set_new(o, "core_dumped", json_boolean(r->core_dumped));
	json_object_set_new(o, "cpu_user_ms", json_integer((json_int_t)(r->cpu_user_us / 1000)));
	json_object_set_new(o, "cpu_sys_ms", json_integer((json_int_t)(r->cpu_sys_us / 1000)));
	json_object_set_new(o, "cpu_ms",
			    json_integer((json_int_t)((r->cpu_user_us + r->cpu_sys_us) / 1000)));
	json_object_set_new(o, "wall_ms", json_integer((json_int_t)(r->wall_us / 1000)));
	json_object_set_new(o, "memory_peak_bytes",
			    u64_or_null(r->memory_peak_bytes, r->measured & SBX_MEASURED_MEMORY));
	json_object_set_new(o, "max_rss_kb", json_integer((json_int_t)r->peak_rss_kb));
	json_object_set_new(o, "oom_kills", json_integer((json_int_t)r->oom_kills));
	json_object_set_new(o, "pids_peak",
			    u64_or_null(r->pids_peak, r->measured & SBX_MEASURED_PIDS));
	json_object_set_new(o, "output_bytes", json_integer((json_int_t)r->output_bytes));
	/* which figures cover every process of the sandbox, not just the first */
	json_t *whole = json_array();
	if (r->measured & SBX_MEASURED_CPU)
		json_array_append_new(whole, json_string("cpu"));
	if (r->measured & SBX_MEASURED_MEMORY)
		json_array_append_new(whole, json_string("memory"));
	if (r->measured & SBX_MEASURED_PIDS)
		json_array_append_new(whole, json_string("pids"));
	json_object_set_new(o, "whole_sandbox", whole);
	json_t *skipped = json_array();
	for (unsigned bit = 1; bit & SBX_LIMIT_ALL; bit <<= 1)
		if (r->limits_not_applied & bit)
			json_array_append_new(skipped, json_string(resources_limit_name(bit)));
	json_object_set_new(o, "limits_not_applied", skipped);
	/* "memory:v1 kill:v2" -> {"memory": "v1", "kill": "v2"} */
	json_t *cg = json_object();
	char buf[sizeof(r->cgroups)];
	snprintf(buf, sizeof(buf), "%s", r->cgroups);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');
		if (colon) {
			*colon = 0;
			json_object_set_new(cg, tok, json_string(colon + 1));
		}
	}
	json_object_set_new(o, "cgroups", cg);
	return o;
}

int report_write(const char *path, const sbx_result *res, const char *error, sbx_error *err)
{
	json_t *o = build(res, error);
	char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	int e = 0;
	char tmp[4096];
	if (!text) {
		e = ENOMEM;
	} else if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
		   (int)sizeof(tmp)) {
		e = ENAMETOOLONG;
	} else {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		size_t len = strlen(text);
		if (fd < 0) {
			e = errno;
		} else {
			if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
				e = errno ? errno : EIO;
			if (close(fd) < 0 && !e)
				e = errno;
			if (!e && rename(tmp, path) < 0)
				e = errno;
			if (e)
				unlink(tmp);
		}
	}
	free(text);
	if (e && err) {
		err->code = e;
		err->stage = SBX_STAGE_RUN;
		snprintf(err->message, sizeof(err->message), "report %s: %s", path, strerror(e));
	}
	return e ? -e : 0;
}
