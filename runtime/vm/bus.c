/* Device ranges on a bus. Few devices, so a linear search. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bus.h"
#include "error.h"

int bus_add(struct bus *b, const struct bus_dev *d, sbx_error *err)
{
	if (!d->len || d->base + d->len < d->base)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL, "vm: %s: empty or wrapping range",
				d->name);
	if (b->n == BUS_MAX_DEVS)
		return err_setx(err, SBX_STAGE_PREPARE, ENOSPC, "vm: %s bus full at %s", b->name,
				d->name);
	for (size_t i = 0; i < b->n; i++) {
		const struct bus_dev *o = &b->devs[i];
		if (d->base < o->base + o->len && o->base < d->base + d->len)
			return err_setx(err, SBX_STAGE_PREPARE, EEXIST,
					"vm: %s overlaps %s on the %s bus", d->name, o->name,
					b->name);
	}
	b->devs[b->n++] = *d;
	return 0;
}

bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len, bool write)
{
	for (size_t i = 0; i < b->n; i++) {
		struct bus_dev *d = &b->devs[i];
		if (addr < d->base || addr - d->base >= d->len || len > d->len - (addr - d->base))
			continue;
		if (write && d->write)
			d->write(d->opaque, addr - d->base, data, len);
		else if (!write && d->read)
			d->read(d->opaque, addr - d->base, data, len);
		else if (!write)
			memset(data, 0xff, len);
		return true;
	}
	if (!write)
		memset(data, 0xff, len);
	b->unclaimed++;
	b->last_unclaimed = addr;
	return false;
}
