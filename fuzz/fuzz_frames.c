/* libFuzzer: frames from anyone on the channel: the transform decoder and the reassembler
** (frame headers, NACKs, the checksum, limits, timeouts) must never crash, and what one sender
** can make us hold must stay within the limits. */
#include "ogrh/ogrh.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void deliver(void *ud, const char *s, const ogrh_msg *m, uint64_t now) {
  (void)ud, (void)s, (void)now;
  if (m->body_len && !m->body) abort();
}
static int nack(void *ud, const uint8_t *t, size_t n, uint64_t now) {
  (void)ud, (void)t, (void)n, (void)now;
  return OGRH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  l.max_bytes_per_sender = 4096;
  ogrh_reasm *r = ogrh_reasm_new(&c, &l, 1, deliver, nack, NULL, NULL);
  /* The input is a sequence of frames: a length byte, then that many bytes. The clock
     starts at 0 and moves 700 ms a frame. */
  uint64_t now = 0;
  for (size_t i = 0; i < size;) {
    size_t n = data[i++];
    if (n > size - i) n = size - i;
    ogrh_reasm_frame(r, (n & 1) ? "A" : "B", data + i, n, now);
    if (ogrh_reasm_held(r) > 2 * l.max_bytes_per_sender) abort(); /* two senders */
    i += n;
    now += 700;
    ogrh_reasm_tick(r, now);
  }
  ogrh_reasm_free(r);
  return 0;
}
