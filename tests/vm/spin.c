/* Never ends by itself: only the wall-time limit stops it. */
#include "payload.h"

void payload_main(uint64_t bp)
{
	(void)bp;
	puts("spinning\n");
	for (;;)
		__asm__ volatile("pause");
}
