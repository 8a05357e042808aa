/* The PC's CMOS real-time clock (MC146818) at ports 0x70 (index) and 0x71
 * (data): the host's UTC time, as Linux's rtc_cmos and its early boot code
 * read it, and 128 bytes of CMOS RAM. Without it a Linux guest spends
 * seconds deciding the RTC is broken and has no wall-clock time. */
#ifndef SBX_VM_RTC_H
#define SBX_VM_RTC_H

#include <stdint.h>

struct rtc {
	uint8_t index;
	uint8_t ram[128];
};

void rtc_init(struct rtc *r);
void rtc_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len);
void rtc_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len);

#endif
