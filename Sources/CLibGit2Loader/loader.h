#ifndef RELEASE_GUARDIAN_LIBGIT2_LOADER_H
#define RELEASE_GUARDIAN_LIBGIT2_LOADER_H

// <git2.h> and <git2/sys/transport.h> (the smart transport Remote wraps) with every function
// declared hidden (after <git2/common.h>, which defines GIT_EXTERN and declares a few functions with
// it first): the wrappers that define them stay inside the executable.
#include <git2/common.h>
#undef GIT_EXTERN
#define GIT_EXTERN(type) extern __attribute__((visibility("hidden"))) type
#include <git2.h>
#include <git2/sys/transport.h>

/// The address of libgit2's function `name`, libgit2 loaded on the first call. Exits with status
/// 2 and a message when libgit2 cannot be loaded or lacks the function.
__attribute__((visibility("hidden"))) void *rg_libgit2_symbol(const char *name);

/// libgit2's `name`, looked up once and kept.
#define RG_LIBGIT2_FUNCTION(name)                                                                   \
    (__extension__({                                                                                \
        static __typeof__(&name) rg_function;                                                       \
        __typeof__(&name) rg_found = __atomic_load_n(&rg_function, __ATOMIC_ACQUIRE);               \
        if (!rg_found) {                                                                            \
            rg_found = (__typeof__(&name))rg_libgit2_symbol(#name);                                 \
            __atomic_store_n(&rg_function, rg_found, __ATOMIC_RELEASE);                             \
        }                                                                                           \
        rg_found;                                                                                   \
    }))

#endif
