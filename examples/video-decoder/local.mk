# The video decoder example: a host streams Motion-JPEG clips through a
# sandboxed decoder worker (see examples/video-decoder/README.md).
noinst_PROGRAMS += examples/video-decoder/mkclip examples/video-decoder/video-host
examples_video_decoder_mkclip_SOURCES = examples/video-decoder/mkclip.c
examples_video_decoder_mkclip_CFLAGS = $(AM_CFLAGS) $(JPEG_CFLAGS)
examples_video_decoder_mkclip_LDADD = $(JPEG_LIBS)
examples_video_decoder_video_host_SOURCES = examples/video-decoder/host.c \
	examples/video-decoder/decoder.c examples/video-decoder/decoder.h
examples_video_decoder_video_host_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPOLICY_DIR='"$(abs_top_srcdir)/policies"'
examples_video_decoder_video_host_CFLAGS = $(AM_CFLAGS) $(JPEG_CFLAGS)
examples_video_decoder_video_host_LDFLAGS = $(AM_LDFLAGS) -no-install
examples_video_decoder_video_host_LDADD = libsandbox/libsandbox.la $(JPEG_LIBS)

# the test clip, made at build time: no binary media in the repository
noinst_DATA += examples/video-decoder/clip.mjpg
CLEANFILES += examples/video-decoder/clip.mjpg
examples/video-decoder/clip.mjpg: examples/video-decoder/mkclip$(EXEEXT)
	$(AM_V_GEN)examples/video-decoder/mkclip -w 320 -h 240 -n 30 $@

EXAMPLE_TESTS += examples/video-decoder/test.sh
TESTS += examples/video-decoder/test.sh
dist_check_SCRIPTS += examples/video-decoder/test.sh
EXTRA_DIST += examples/video-decoder/README.md
