/* `ogrh sim` end to end: exit codes, list and show, the table, JSON, trace, plot, campaigns. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static char *slurp(const char *name);

/* Runs `ogrh ARGS` with stdout and stderr in files; returns the exit status. */
static int sh(const char *args) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cd %s && '%s' %s >out 2>err", dir, OGRH_CLI, args);
  int st = system(cmd);
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (rc > 2) fprintf(stderr, "ogrh %s: status %d\n%s", args, rc, slurp("err"));
  return rc;
}

static char *slurp(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static void has(const char *file, const char *what) {
  const char *t = slurp(file);
  if (!t || !strstr(t, what)) fail_msg("%s lacks '%s':\n%s", file, what, t ? t : "(none)");
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/ogrh-sim-cli-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_usage(void **state) {
  (void)state;
  assert_int_equal(sh("sim --help"), 0);
  has("out", "usage: ogrh sim");
  assert_int_equal(sh("sim"), 2);
  assert_int_equal(sh("sim delta --bogus"), 2);
  assert_int_equal(sh("sim delta --model nope"), 2);
  assert_int_equal(sh("sim delta --seed 0"), 2);
  assert_int_equal(sh("sim show"), 2);
  assert_int_equal(sh("sim no-such-scenario"), 1);
  has("err", "no built-in scenario 'no-such-scenario'");
  assert_int_equal(sh("sim missing.json"), 1);
  has("err", "cannot read");
}

static void test_list_show(void **state) {
  (void)state;
  assert_int_equal(sh("sim list"), 0);
  has("out", "raid-night");
  has("out", "component-repair");
  assert_int_equal(sh("sim list --json"), 0);
  json_error_t je;
  json_t *j = json_loads(slurp("out"), 0, &je);
  assert_non_null(j);
  assert_int_equal(json_array_size(j), 16);
  json_decref(j);
  assert_int_equal(sh("sim show delta"), 0);
  has("out", "\"name\": \"delta\"");
  /* A scenario written out and changed runs from its file. */
  FILE *f = fopen(strcat(strcpy((char[512]){0}, dir), "/mine.json"), "w");
  assert_non_null(f);
  fputs("{\"name\": \"mine\", \"duration_s\": 40, \"plan\": {\"generate\": {\"seed\": 3}, "
        "\"active_raid\": \"BWL\"}, \"players\": {\"count\": 6}, \"expect_addon\": "
        "{\"converged\": true}}",
        f);
  fclose(f);
  assert_int_equal(sh("sim mine.json --model addon"), 0);
  has("out", "scenario mine (seed 1, 40 s simulated)");
  has("out", "converged");
  /* An expectation the model misses: exit 1 and the reason. */
  f = fopen(strcat(strcpy((char[512]){0}, dir), "/bad.json"), "w");
  fputs("{\"name\": \"bad\", \"duration_s\": 40, \"plan\": {\"generate\": {\"seed\": 3}, "
        "\"active_raid\": \"BWL\"}, \"players\": {\"count\": 6, \"list\": [{\"player\": \"#4\", "
        "\"plan\": \"empty\"}]}, \"expect_addon\": {\"converged\": true}}",
        f);
  fclose(f);
  assert_int_equal(sh("sim bad.json --model addon"), 1);
  has("out", "addon: converged false");
}

static void test_outputs(void **state) {
  (void)state;
  assert_int_equal(sh("sim component-repair --model addon --json --trace t.csv --plot p.svg"), 0);
  json_error_t je;
  json_t *j = json_loads(slurp("out"), 0, &je);
  if (!j) fail_msg("JSON: %s", je.text);
  json_t *m = json_object_get(json_object_get(j, "models"), "addon");
  assert_true(json_is_true(json_object_get(m, "converged")));
  assert_true(json_integer_value(json_object_get(m, "messages")) > 0);
  assert_true(json_is_number(json_object_get(json_object_get(m, "repair_s"), "component")));
  json_decref(j);
  has("t.csv", "t_s,model,kind,who,to,bytes,detail\n");
  has("t.csv", ",addon,send,");
  has("t.csv", ",addon,deliver,");
  has("t.csv", ",addon,mismatch,");
  has("p.svg", "<svg");
  has("p.svg", "Stale players");
  /* --model both (the default): both models run on the same scenario. */
  assert_int_equal(sh("sim component-repair"), 0);
  has("out", "addon");
  has("out", "ogrh");
  assert_int_equal(sh("sim component-repair --model ogrh"), 0);
}

static void test_campaign(void **state) {
  (void)state;
  /* Three seeds of a scenario whose addon expectation fails: every seed named, with its replay. */
  FILE *f = fopen(strcat(strcpy((char[512]){0}, dir), "/c.json"), "w");
  fputs("{\"name\": \"c\", \"duration_s\": 30, \"plan\": {\"generate\": {\"seed\": 3}, "
        "\"active_raid\": \"BWL\"}, \"players\": {\"count\": 5}, \"expect_addon\": "
        "{\"messages_max\": 1}}",
        f);
  fclose(f);
  assert_int_equal(sh("sim c.json --model addon --seeds 3 --seed 5"), 1);
  has("out", "seed 5: addon FAIL");
  has("out", "seed 7: addon FAIL");
  has("out", "replay: ogrh sim c.json --seed 6 --model addon");
  has("out", "3 of 3 seeds failed");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_usage),
      cmocka_unit_test(test_list_show),
      cmocka_unit_test(test_outputs),
      cmocka_unit_test(test_campaign),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
