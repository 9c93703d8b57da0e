/* What RocksDB's C header needs of clang: its builtin headers. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct probe_pair {
  uint64_t count;
  size_t width;
  bool ok;
} probe_pair;

int probe_sum(const probe_pair* pairs, size_t n);
