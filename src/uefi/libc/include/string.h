/* The C string functions wolfSSL calls in the option ROM. The firmware's wolfSSL
 * compile alone sees this folder. Only what the linker asked for: libc.cpp beside
 * this folder defines the str* functions; memcpy, memmove, memset, memcmp and
 * strlen are src/uefi/runtime/crt.cpp's. */
#ifndef MPXE_LIBC_STRING_H
#define MPXE_LIBC_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void* memcpy(void* dest, const void* src, size_t n);
void* memmove(void* dest, const void* src, size_t n);
void* memset(void* dest, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strncpy(char* dest, const char* src, size_t n);
char* strstr(const char* haystack, const char* needle);
int strcasecmp(const char* a, const char* b);

#ifdef __cplusplus
}
#endif

#endif
