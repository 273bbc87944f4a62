/* libFuzzer: whole messages with a good checksum (the checksum stops almost every random
** frame, so this target puts it right and goes on): the header, the target, inflation with
** its limits, framing and reassembly of any message must never crash. The input is a 10-bit
** message id (2 bytes) and the message bytes before the checksum. */
#include "ogrh/ogrh.h"
#include "wire_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void deliver(void *ud, const char *s, const ogrh_msg *m, uint64_t now) {
  (void)s, (void)now;
  if (m->version == OGRH_WIRE_VERSION && m->body_len && !m->body) abort();
  if (m->body_len > (1u << 20)) abort();
  (*(int *)ud)++;
}

static void frame(ogrh_reasm *r, const ogrh_wire_cfg *c, const uint8_t *raw, size_t n) {
  ogrh_buf t;
  ogrh_buf_init(&t);
  if (ogrh_safe_encode(c, raw, n, &t) == OGRH_OK)
    ogrh_reasm_frame(r, "A", (const uint8_t *)t.p, t.n, 0);
  ogrh_buf_deinit(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  uint16_t id = (uint16_t)((data[0] << 8 | data[1]) & OGRH_WIRE_MAX_ID);
  const uint8_t *m = data + 2;
  size_t mn = size - 2;
  uint8_t *msg = malloc(mn + OGRH__CRC_LEN);
  if (mn) memcpy(msg, m, mn);
  uint32_t crc = ogrh__msg_crc(id, m, mn);
  for (int i = 0; i < 4; i++)
    msg[mn + (size_t)i] = (uint8_t)(crc >> (8 * i));
  mn += OGRH__CRC_LEN;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  l.max_message_bytes = 1u << 20;
  int got = 0;
  ogrh_reasm *r = ogrh_reasm_new(&c, &l, 1, deliver, NULL, NULL, &got);
  /* Framed as a sender would: one frame, or first and continuation frames. */
  size_t cap = ogrh__raw_capacity(&c), per = cap - OGRH__MULTI_HDR;
  uint8_t f[OGRH_WIRE_LIMIT];
  if (mn + OGRH__SINGLE_HDR <= cap) {
    f[0] = (uint8_t)(OGRH__K_SINGLE << 6 | id >> 4);
    f[1] = (uint8_t)((id & 15) << 4);
    memcpy(f + 2, msg, mn);
    frame(r, &c, f, mn + 2);
  } else if ((mn + per - 1) / per <= OGRH_WIRE_MAX_FRAMES) {
    size_t total = (mn + per - 1) / per;
    for (size_t i = 0; i < total; i++) {
      size_t field = i ? i : total, len = i + 1 < total ? per : mn - i * per;
      f[0] = (uint8_t)((i ? OGRH__K_CONT : OGRH__K_FIRST) << 6 | id >> 4);
      f[1] = (uint8_t)((id & 15) << 4 | field >> 8);
      f[2] = (uint8_t)field;
      memcpy(f + 3, msg + i * per, len);
      frame(r, &c, f, len + 3);
    }
  }
  if (ogrh_reasm_held(r) != 0) abort();
  ogrh_reasm_free(r);
  free(msg);
  return 0;
}
