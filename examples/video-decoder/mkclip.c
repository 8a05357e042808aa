/* mkclip: writes a Motion-JPEG test clip, made at build time so that no
 * binary media is kept in the repository.
 *
 *   mkclip [-w WIDTH] [-h HEIGHT] [-n FRAMES] [-x FRAME:KIND] OUT.mjpg
 *
 * The clip is a sequence of JPEG frames, each preceded by its length (4
 * bytes, big-endian): the stream format the decoder worker reads. The
 * pictures are a moving colour gradient with a bouncing square, so every
 * frame differs. -x makes frame FRAME hostile: a COM marker
 * "SBX-HOSTILE:KIND" (open or exec) that the decoder treats as an exploited
 * bug would, trying that system call (see decoder.c). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

static void picture(unsigned char *rgb, int w, int h, int t)
{
	int sx = (t * 7) % (w > 40 ? w - 40 : 1), sy = (t * 5) % (h > 40 ? h - 40 : 1);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
			bool square = x >= sx && x < sx + 40 && y >= sy && y < sy + 40;
			p[0] = square ? 255 : (unsigned char)(x * 255 / w + t);
			p[1] = square ? 255 : (unsigned char)(y * 255 / h);
			p[2] = square ? 0 : (unsigned char)((x + y + 3 * t) & 255);
		}
}

static int put_be32(FILE *f, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};
	return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int w = 320, h = 240, n = 30, hostile = -1, opt;
	const char *kind = "open";
	while ((opt = getopt(argc, argv, "w:h:n:x:")) != -1) {
		switch (opt) {
		case 'w':
			w = atoi(optarg);
			break;
		case 'h':
			h = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'x':
			hostile = atoi(optarg);
			kind = strchr(optarg, ':') ? strchr(optarg, ':') + 1 : "open";
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc || w < 16 || h < 16 || w > 4096 || h > 4096 || n < 1) {
		fprintf(stderr,
			"usage: mkclip [-w WIDTH] [-h HEIGHT] [-n FRAMES] [-x FRAME:open|exec] OUT\n");
		return 2;
	}
	FILE *out = fopen(argv[optind], "wb");
	unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
	if (!out || !rgb) {
		perror(argv[optind]);
		return 1;
	}
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr jerr;
	c.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&c);
	for (int t = 0; t < n; t++) {
		picture(rgb, w, h, t);
		unsigned char *buf = NULL;
		unsigned long len = 0;
		jpeg_mem_dest(&c, &buf, &len);
		c.image_width = (JDIMENSION)w;
		c.image_height = (JDIMENSION)h;
		c.input_components = 3;
		c.in_color_space = JCS_RGB;
		jpeg_set_defaults(&c);
		jpeg_set_quality(&c, 85, TRUE);
		jpeg_start_compress(&c, TRUE);
		if (t == hostile) {
			char note[64];
			snprintf(note, sizeof(note), "SBX-HOSTILE:%s", kind);
			jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)note,
					  (unsigned)strlen(note));
		}
		while (c.next_scanline < c.image_height) {
			JSAMPROW row = rgb + (size_t)c.next_scanline * (size_t)w * 3;
			jpeg_write_scanlines(&c, &row, 1);
		}
		jpeg_finish_compress(&c);
		if (put_be32(out, (uint32_t)len) < 0 || fwrite(buf, 1, len, out) != len) {
			perror(argv[optind]);
			return 1;
		}
		free(buf);
	}
	jpeg_destroy_compress(&c);
	free(rgb);
	return fclose(out) == 0 ? 0 : 1;
}
