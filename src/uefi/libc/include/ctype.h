/* ctype for wolfSSL in the option ROM: the C locale only (ASCII). */
#ifndef MPXE_LIBC_CTYPE_H
#define MPXE_LIBC_CTYPE_H

#ifdef __cplusplus
extern "C" {
#endif

int tolower(int c);

#ifdef __cplusplus
}
#endif

#endif
