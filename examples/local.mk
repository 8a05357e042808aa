# examples: specs and programs that show sandboxd as users meet it
EXTRA_DIST += examples/inside/spec.json

include examples/video-decoder/local.mk
include examples/renderer/local.mk
