/* libFuzzer: roster messages come from the network; parsing must never crash, and an
** accepted roster must format and parse back the same. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_roster *r;
  ogrh_err err;
  if (ogrh_roster_parse((const char *)data, size, &r, &err)) return 0;
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_roster_json(r, &b) == OGRH_OK) {
    ogrh_roster *q;
    if (ogrh_roster_parse(b.p, b.n, &q, &err)) abort();
    if (q->n != r->n || strcmp(q->team, r->team) != 0) abort();
    for (size_t i = 0; i < r->n; i++)
      if (strcmp(q->e[i].name, r->e[i].name) != 0 || q->e[i].rank != r->e[i].rank) abort();
    ogrh_roster_free(q);
  }
  ogrh_buf_deinit(&b);
  ogrh_roster_free(r);
  return 0;
}
