/* Framing and reassembly at every size to 100 KiB. Apart from test_wire.c so that each test
** program stays short under the sanitizers (this one is about 15 s of CPU under ASan). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks a delivery against the data in place (no copy: this test is about the bytes). */
typedef struct expect {
  const uint8_t *data;
  size_t n;
  int ok, bad;
} expect;

static void check_in_place(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  (void)sender, (void)now;
  expect *e = ud;
  if (m->body_len == e->n && (e->n == 0 || memcmp(m->body, e->data, e->n) == 0))
    e->ok++;
  else
    e->bad++;
}

/*
** Every size from 0 to 100 KiB (every frame count to 417, with every length of the last
** frame), with the transform set to identity (no forbidden bytes): the transform itself is
** checked at every frame length above, so this covers framing and reassembly at every size.
*/
static void test_framing_every_size(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  assert_int_equal(ogrh_wire_cfg_forbid(&c, NULL, 0), OGRH_OK);
  assert_int_equal(c.base, 256);
  size_t max = 100 * 1024;
  uint8_t *data = malloc(max);
  expect e = {data, 0, 0, 0};
  ogrh_reasm *r = ogrh_reasm_new(&c, NULL, 1, check_in_place, NULL, NULL, &e);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 5);
  for (size_t i = 0; i < max; i++)
    data[i] = (uint8_t)ogrh_rng_next(&rng);
  ogrh_frames f;
  ogrh_frames_init(&f);
  size_t frames = 0;
  for (size_t n = 0; n <= max; n++) {
    ogrh_frames_reset(&f);
    assert_int_equal(ogrh_wire_pack(&c, (uint16_t)(n & 0x3ff), 0x21, NULL, data, n, false, &f),
                     OGRH_OK);
    e.n = n;
    for (size_t i = 0; i < f.n; i++) {
      if (f.len[i] > c.frame_text) fail();
      ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p + f.off[i], f.len[i], (uint64_t)n * 1000);
    }
    frames += f.n;
    if (e.ok != (int)n + 1 || e.bad) {
      fprintf(stderr, "size %zu failed\n", n);
      fail();
    }
    if (n % 20480 == 0) printf("# every size: %zu bytes done, %zu frames\n", n, frames);
  }
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_frames_deinit(&f);
  ogrh_reasm_free(r);
  free(data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_framing_every_size),
  };
  if (getenv("TEST")) cmocka_set_test_filter(getenv("TEST"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
