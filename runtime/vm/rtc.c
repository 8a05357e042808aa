/* MC146818 CMOS clock. The time registers are read from the host's clock
 * at each access, so the clock runs without a timer thread and is never
 * caught mid-update (status A's update-in-progress bit stays clear).
 * Writes to the time registers are ignored: the guest cannot set the
 * host's time, and its idea of the time stays the host's. The format
 * follows status B as the guest sets it (BCD or binary, 12 or 24 hours). */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "rtc.h"

enum {
	SECONDS = 0x00,
	MINUTES = 0x02,
	HOURS = 0x04,
	WEEKDAY = 0x06,
	DAY = 0x07,
	MONTH = 0x08,
	YEAR = 0x09,
	STATUS_A = 0x0a,
	STATUS_B = 0x0b,
	STATUS_C = 0x0c,
	STATUS_D = 0x0d,
	CENTURY = 0x32, /* where PCs keep it (ACPI FADT's default) */
};
#define A_DIVIDER 0x26 /* 32.768 kHz time base, 1024 Hz rate: a running clock */
#define B_24H 0x02
#define B_BINARY 0x04
#define B_SET 0x80	/* the guest is setting the clock: updates halted */
#define D_VALID 0x80	/* the battery is good: the time can be trusted */
#define INDEX_MASK 0x7f /* bit 7 of the index port gates NMIs: ignored */

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	r->ram[STATUS_A] = A_DIVIDER;
	r->ram[STATUS_B] = B_24H;
	r->ram[STATUS_D] = D_VALID;
}

static uint8_t encode(const struct rtc *r, int v)
{
	return r->ram[STATUS_B] & B_BINARY ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* UTC from seconds since the epoch, without gmtime_r: glibc's reads the
 * time zone files on its first call, a file access the jailed VMM's policy
 * kills. Days to a civil date as in Howard Hinnant's civil_from_days. */
static void utc(time_t t, struct tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	tm->tm_year = (int)(yoe + era * 400 + (m <= 2) - 1900);
	tm->tm_mon = (int)m - 1;
	tm->tm_mday = (int)d;
}

static uint8_t time_register(const struct rtc *r, uint8_t reg)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	utc(ts.tv_sec, &tm);
	switch (reg) {
	case SECONDS:
		return encode(r, tm.tm_sec);
	case MINUTES:
		return encode(r, tm.tm_min);
	case HOURS:
		if (r->ram[STATUS_B] & B_24H)
			return encode(r, tm.tm_hour);
		/* 12-hour: 12, 1..11, with bit 7 for p.m. */
		return (uint8_t)(encode(r, tm.tm_hour % 12 ? tm.tm_hour % 12 : 12) |
				 (tm.tm_hour >= 12 ? 0x80 : 0));
	case WEEKDAY:
		return encode(r, tm.tm_wday + 1);
	case DAY:
		return encode(r, tm.tm_mday);
	case MONTH:
		return encode(r, tm.tm_mon + 1);
	case YEAR:
		return encode(r, tm.tm_year % 100);
	default: /* CENTURY */
		return encode(r, 19 + tm.tm_year / 100);
	}
}

static bool is_time(uint8_t reg)
{
	return reg == SECONDS || reg == MINUTES || reg == HOURS || reg == WEEKDAY || reg == DAY ||
	       reg == MONTH || reg == YEAR || reg == CENTURY;
}

void rtc_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len)
{
	struct rtc *r = opaque;
	memset(data, 0xff, len);
	if (off == 0) /* the index port is write-only */
		return;
	if (is_time(r->index))
		data[0] = time_register(r, r->index);
	else
		data[0] = r->ram[r->index];
	/* status C: reading acknowledges (clears) the interrupt flags */
	if (r->index == STATUS_C)
		r->ram[STATUS_C] = 0;
}

void rtc_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct rtc *r = opaque;
	(void)len;
	if (off == 0) {
		r->index = data[0] & INDEX_MASK;
		return;
	}
	switch (r->index) {
	case STATUS_C:
	case STATUS_D: /* read-only */
		return;
	case STATUS_A: /* the update-in-progress bit is the clock's, not the guest's */
		r->ram[STATUS_A] = data[0] & 0x7f;
		return;
	case STATUS_B: /* the set bit is kept, but the clock never stops */
		r->ram[STATUS_B] = data[0];
		return;
	default:
		if (!is_time(r->index))
			r->ram[r->index] = data[0];
	}
}
