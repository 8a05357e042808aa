# The renderer example: a browser kernel and a renderer in capability mode
# (see examples/renderer/README.md).
noinst_PROGRAMS += examples/renderer/browser-kernel examples/renderer/renderer
examples_renderer_browser_kernel_SOURCES = examples/renderer/kernel.c examples/renderer/proto.h
examples_renderer_browser_kernel_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPOLICY_DIR='"$(abs_top_srcdir)/policies"'
examples_renderer_browser_kernel_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS)
examples_renderer_browser_kernel_LDFLAGS = $(AM_LDFLAGS) -no-install
examples_renderer_browser_kernel_LDADD = libsandbox/libsandbox.la $(CAIRO_LIBS)
# runs inside the sandbox, where the build tree may not be visible: the
# library is linked in, not loaded from the tree
examples_renderer_renderer_SOURCES = examples/renderer/renderer.c examples/renderer/proto.h
examples_renderer_renderer_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS)
examples_renderer_renderer_LDFLAGS = $(AM_LDFLAGS) -no-install
examples_renderer_renderer_LDADD = libsandbox/libsandbox-core.la $(CAIRO_LIBS)

EXAMPLE_TESTS += examples/renderer/test.sh
TESTS += examples/renderer/test.sh
dist_check_SCRIPTS += examples/renderer/test.sh
EXTRA_DIST += examples/renderer/README.md
