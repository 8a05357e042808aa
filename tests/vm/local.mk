# Freestanding guest payloads for the VMM's tests (check_vm): each is built
# without libc at 1 MiB and wrapped in a bzImage header, so the VMM loads
# it through the boot protocol as it loads Linux.
VM_PAYLOAD_NAMES = entry uart spin fault stray rtc reset kbd irq touch
VM_PAYLOAD_FLAGS = -O2 -Wall -Wextra -ffreestanding -nostdlib -static -fno-pic -fno-pie -no-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-Wl,--build-id=none -Wl,-T,$(srcdir)/tests/vm/payload.ld
EXTRA_DIST += tests/vm/payload.h tests/vm/payload.ld tests/vm/mkbzimage.c \
	$(VM_PAYLOAD_NAMES:%=tests/vm/%.c)
CLEANFILES += tests/vm/mkbzimage tests/vm/payloads.stamp $(VM_PAYLOAD_NAMES:%=tests/vm/%.bzImage)

tests/vm/mkbzimage: $(srcdir)/tests/vm/mkbzimage.c
	$(AM_V_CC)$(MKDIR_P) tests/vm && $(CC) -O2 -Wall -Wextra -o $@ $(srcdir)/tests/vm/mkbzimage.c
tests/vm/payloads.stamp: tests/vm/mkbzimage $(srcdir)/tests/vm/payload.h \
		$(srcdir)/tests/vm/payload.ld $(VM_PAYLOAD_NAMES:%=$(srcdir)/tests/vm/%.c)
	$(AM_V_GEN)for p in $(VM_PAYLOAD_NAMES); do \
		$(CC) $(VM_PAYLOAD_FLAGS) -o tests/vm/$$p.elf $(srcdir)/tests/vm/$$p.c && \
		$(OBJCOPY) -O binary --set-section-flags .bss=alloc,load,contents \
			tests/vm/$$p.elf tests/vm/$$p.bin && \
		tests/vm/mkbzimage tests/vm/$$p.bin tests/vm/$$p.bzImage && \
		rm -f tests/vm/$$p.elf tests/vm/$$p.bin || exit 1; \
	done; touch $@
check_DATA = tests/vm/payloads.stamp
