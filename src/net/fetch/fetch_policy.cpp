#include "net/fetch/fetch_policy.h"

namespace mpxe::net {

uint32_t fetch_connection_count(const FetchPolicy& policy, uint64_t size, uint32_t wanted,
                                uint32_t available, bool accept_ranges) {
  uint32_t n = wanted < 1 ? 1 : wanted;
  if (n > available) n = available;
  if (n < 1 || !accept_ranges) return 1;
  while (n > 1 && size / n < policy.min_range) --n;
  return n;
}

}  // namespace mpxe::net
