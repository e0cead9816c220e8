// wolfSSL's allocator (XMALLOC_USER in user_settings.h), the same in the ROM and
// on the host: the TLS heap. wolfSSL may pass null to XFREE.
#include <stddef.h>

#include "tls/tls_heap.h"

extern "C" {

void* XMALLOC(size_t size, void* /*heap*/, int /*type*/) {
  return mpxe::tls::tls_heap().allocate(size);
}

void* XREALLOC(void* p, size_t size, void* /*heap*/, int /*type*/) {
  return mpxe::tls::tls_heap().reallocate(p, size);
}

void XFREE(void* p, void* /*heap*/, int /*type*/) { mpxe::tls::tls_heap().release(p); }

}  // extern "C"
