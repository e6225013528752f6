/* pause_rename.c — a fault injected from outside a program, for tests/test_interrupt.sh.
 *
 * Loaded with LD_PRELOAD, this library stands in for the C library's rename():
 * when the target is exactly PAUSE_RENAME_TO (an environment variable the test
 * sets), it says so on stderr and sleeps 2 seconds, then renames as usual. During those seconds
 * an atomic write (nn/atomic_file.cpp) has its new file complete under its
 * temporary name and the old file still in place, so the test can kill -9 the
 * program in the middle of a checkpoint write. Every other rename() is untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char* from, const char* to) {
    /* The real rename(): the next definition after this library's own. (Stored
     * through a void* since ISO C has no cast from dlsym's void* to a function pointer.) */
    int (*real_rename)(const char*, const char*);
    *(void**)&real_rename = dlsym(RTLD_NEXT, "rename");
    const char* target = getenv("PAUSE_RENAME_TO");
    if (target != NULL && strcmp(to, target) == 0) {
        fprintf(stderr, "pause_rename: holding the rename to %s for 2 s\n", to);  /* the test waits for this line */
        sleep(2);
    }
    return real_rename(from, to);
}
