/*
** deflate.c
** Raw DEFLATE with the built-in preset dictionary (docs/PROTOCOL.md §8). zlib allocates
** through the library's allocator, so allocation-failure tests and memory limits see it.
*/
#include "ogrh/wire.h"

#include <stddef.h>
#include <string.h>
#include <zlib.h>

extern const unsigned char ogrh__wire_dict[];
extern const unsigned long ogrh__wire_dict_len;

size_t ogrh_dict_size(void) {
  return (size_t)ogrh__wire_dict_len;
}
const uint8_t *ogrh_dict_bytes(void) {
  return ogrh__wire_dict;
}

/*
** zlib frees without a size and ogrh_free wants one: every block carries its size in a
** header as large as the strictest alignment, so what follows stays aligned for zlib.
*/
typedef union zhdr {
  size_t size;
  max_align_t align;
} zhdr;

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
  (void)opaque;
  size_t n = (size_t)items * size;
  if (size && n / size != items) return Z_NULL;
  if (n > SIZE_MAX - sizeof(zhdr)) return Z_NULL;
  zhdr *h = ogrh_malloc(sizeof *h + n);
  if (!h) return Z_NULL;
  h->size = sizeof *h + n;
  return h + 1;
}

static void z_free(voidpf opaque, voidpf p) {
  (void)opaque;
  if (!p) return;
  zhdr *h = (zhdr *)p - 1;
  ogrh_free(h, h->size);
}

/* Out of memory is out of memory; any other failure to start is a bug of ours. */
static int zstatus(int zr) {
  return zr == Z_OK ? OGRH_OK : zr == Z_MEM_ERROR ? OGRH_ENOMEM : OGRH_EINVAL;
}

static void z_init(z_stream *z) {
  memset(z, 0, sizeof *z);
  z->zalloc = z_alloc;
  z->zfree = z_free;
}

int ogrh_deflate(const uint8_t *p, size_t n, ogrh_buf *out) {
  if (n > UINT32_MAX / 2) return OGRH_ETOOBIG;
  z_stream z;
  z_init(&z);
  int zr = deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  if (zr != Z_OK) return zstatus(zr);
  int rc = OGRH_OK;
  if (ogrh_dict_size())
    rc = zstatus(deflateSetDictionary(&z, ogrh_dict_bytes(), (uInt)ogrh_dict_size()));
  size_t bound = deflateBound(&z, (uLong)n) + 16;
  if (!rc && ogrh_buf_reserve(out, bound)) rc = OGRH_ENOMEM;
  if (!rc) {
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->p + out->n;
    z.avail_out = (uInt)bound;
    zr = deflate(&z, Z_FINISH);
    if (zr == Z_STREAM_END) {
      out->n += bound - z.avail_out;
      out->p[out->n] = '\0';
    } else {
      /* Level 9 allocates everything in deflateInit2: any failure here is a zlib bug. */
      rc = zr == Z_MEM_ERROR ? OGRH_ENOMEM : OGRH_EIO;
    }
  }
  deflateEnd(&z);
  return rc;
}

int ogrh_inflate(const uint8_t *p, size_t n, size_t max_out, ogrh_buf *out) {
  if (n > UINT32_MAX / 2) return OGRH_ETOOBIG;
  if (max_out > SIZE_MAX / 4) max_out = SIZE_MAX / 4; /* "no limit": max_out + 1 must not wrap */
  z_stream z;
  z_init(&z);
  int zr = inflateInit2(&z, -15);
  if (zr != Z_OK) return zstatus(zr);
  int rc = OGRH_OK;
  /* Setting the dictionary allocates inflate's window. */
  if (ogrh_dict_size())
    rc = zstatus(inflateSetDictionary(&z, ogrh_dict_bytes(), (uInt)ogrh_dict_size()));
  z.next_in = (Bytef *)(uintptr_t)p;
  z.avail_in = (uInt)n;
  size_t start = out->n;
  /*
  ** The output grows by doubling from what the input could plausibly give, and never to more
  ** than max_out + 1 bytes (one more than allowed, to see that the limit was passed).
  */
  size_t want = n * 4 + 256;
  while (!rc) {
    size_t have = out->n - start;
    if (want > max_out + 1 - have) want = max_out + 1 - have;
    if (want == 0) {
      rc = OGRH_ETOOBIG;
      break;
    }
    if (out->cap < out->n + 1 + want && ogrh_buf_reserve(out, want)) {
      rc = OGRH_ENOMEM;
      break;
    }
    size_t room = out->cap - out->n - 1;
    if (room > UINT32_MAX / 2) room = UINT32_MAX / 2;
    if (room > max_out + 1 - have) room = max_out + 1 - have;
    z.next_out = (Bytef *)out->p + out->n;
    z.avail_out = (uInt)room;
    zr = inflate(&z, Z_NO_FLUSH);
    out->n += room - z.avail_out;
    if (out->n - start > max_out)
      rc = OGRH_ETOOBIG;
    else if (zr == Z_STREAM_END)
      break;
    else if (zr == Z_MEM_ERROR)
      rc = OGRH_ENOMEM;
    else if (zr != Z_OK && zr != Z_BUF_ERROR)
      rc = OGRH_ECORRUPT;
    else if (z.avail_in == 0 && z.avail_out != 0)
      rc = OGRH_ECORRUPT; /* the input ended inside the stream */
    want = out->n - start;
  }
  if (!rc && z.avail_in != 0) rc = OGRH_ECORRUPT; /* trailing garbage */
  inflateEnd(&z);
  if (rc) out->n = start;
  if (out->p) out->p[out->n] = '\0';
  return rc;
}
