/* libFuzzer: announcement templates come from other players' files; filling their tags must
** never crash, never read past the text, and never grow without bound. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ogrh_svfile *enc_file;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!enc_file) {
    const char *e = "E = { roles = { { roleId = 1, name = \"Tanks\", assignedPlayers = {\"A\", "
                    "\"B\"}, raidMarks = {8, 0}, assignmentNumbers = {1, 2} }, { name = \"H\", "
                    "isConsumeCheck = 1, consumes = { { primaryName = \"P\" } } } } }";
    if (ogrh_svfile_parse(e, strlen(e), "fuzz", &enc_file, NULL)) abort();
  }
  const ogrh_table *enc = ogrh_svfile_get(enc_file, "E")->u.t;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_announce_fill(enc, (const char *)data, size, &b);
  /* Every tag becomes at most a few names: the text cannot grow by more than a bound. */
  if (rc == OGRH_OK && b.n > 64 * size + 64) abort();
  ogrh_buf_deinit(&b);
  return 0;
}
