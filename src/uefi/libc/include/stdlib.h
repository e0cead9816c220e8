/* wolfSSL includes <stdlib.h> for size_t and NULL; its memory comes through
 * XMALLOC/XREALLOC/XFREE (src/tls/tls_heap.h), never malloc. */
#ifndef MPXE_LIBC_STDLIB_H
#define MPXE_LIBC_STDLIB_H

#include <stddef.h>

#endif
