// libgit2, loaded when the process first calls one of its functions instead of at start-up.
//
// Why: loading libgit2 1.5 and its libraries (OpenSSL, mbedTLS, libssh2, Kerberos, PCRE, …) and
// relocating them costs about 3.5 ms at every start (an empty C program linked with -lgit2: 4.5 ms,
// without: 1 ms), more than the pre-push hook's check of a push of branches or `env`, which read
// the repository's files and never call libgit2. So the executable does not link libgit2:
// wrappers.c defines every function <git2.h> declares, with the same signature, and each finds
// the real one here, with dlopen and dlsym, on its first call. Everything else is unchanged: the
// same libgit2 (its soname from the headers built against), the same calls.
#define _GNU_SOURCE  // vasprintf
#include "loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#define RG_STRING(x) #x
#define RG_SONAME(major, minor) "libgit2.so." RG_STRING(major) "." RG_STRING(minor)

static const char *const soname = RG_SONAME(LIBGIT2_VER_MAJOR, LIBGIT2_VER_MINOR);
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *library;

static void load(void) {
    library = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "release-guardian: error: cannot load libgit2 %s (%s): install it (Debian: apt-get install libgit2-%d.%d)\n",
                LIBGIT2_VERSION, dlerror(), LIBGIT2_VER_MAJOR, LIBGIT2_VER_MINOR);
        exit(2);
    }
}

void *rg_libgit2_symbol(const char *name) {
    pthread_once(&once, load);
    void *function = dlsym(library, name);
    if (!function) {
        fprintf(stderr, "release-guardian: error: %s has no function %s (built against libgit2 %s)\n", soname, name, LIBGIT2_VERSION);
        exit(2);
    }
    return function;
}

// The variadic functions, which cannot be forwarded as they come.

// Each option with the arguments <git2/common.h> documents for it.
int git_libgit2_opts(int option, ...) {
    int (*real)(int, ...) = RG_LIBGIT2_FUNCTION(git_libgit2_opts);
    va_list arguments;
    va_start(arguments, option);
    int result;
    switch ((git_libgit2_opt_t)option) {
    // int
    case GIT_OPT_ENABLE_CACHING:
    case GIT_OPT_ENABLE_STRICT_OBJECT_CREATION:
    case GIT_OPT_ENABLE_STRICT_SYMBOLIC_REF_CREATION:
    case GIT_OPT_ENABLE_OFS_DELTA:
    case GIT_OPT_ENABLE_FSYNC_GITDIR:
    case GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION:
    case GIT_OPT_ENABLE_UNSAVED_INDEX_SAFETY:
    case GIT_OPT_DISABLE_PACK_KEEP_FILE_CHECKS:
    case GIT_OPT_ENABLE_HTTP_EXPECT_CONTINUE:
    case GIT_OPT_SET_ODB_PACKED_PRIORITY:
    case GIT_OPT_SET_ODB_LOOSE_PRIORITY:
    case GIT_OPT_SET_OWNER_VALIDATION: {
        int value = va_arg(arguments, int);
        result = real(option, value);
        break;
    }
    // size_t, ssize_t, unsigned long (one machine word)
    case GIT_OPT_SET_MWINDOW_SIZE:
    case GIT_OPT_SET_MWINDOW_MAPPED_LIMIT:
    case GIT_OPT_SET_MWINDOW_FILE_LIMIT:
    case GIT_OPT_SET_PACK_MAX_OBJECTS:
    case GIT_OPT_SET_PACK_MAX_OBJECT_SIZE: {
        size_t value = va_arg(arguments, size_t);
        result = real(option, value);
        break;
    }
    case GIT_OPT_SET_CACHE_MAX_SIZE: {
        ssize_t value = va_arg(arguments, ssize_t);
        result = real(option, value);
        break;
    }
    case GIT_OPT_SET_WINDOWS_SHAREMODE: {
        unsigned long value = va_arg(arguments, unsigned long);
        result = real(option, value);
        break;
    }
    // one pointer
    case GIT_OPT_GET_MWINDOW_SIZE:
    case GIT_OPT_GET_MWINDOW_MAPPED_LIMIT:
    case GIT_OPT_GET_MWINDOW_FILE_LIMIT:
    case GIT_OPT_GET_TEMPLATE_PATH:
    case GIT_OPT_SET_TEMPLATE_PATH:
    case GIT_OPT_SET_USER_AGENT:
    case GIT_OPT_SET_SSL_CIPHERS:
    case GIT_OPT_GET_USER_AGENT:
    case GIT_OPT_GET_WINDOWS_SHAREMODE:
    case GIT_OPT_SET_ALLOCATOR:
    case GIT_OPT_GET_PACK_MAX_OBJECTS:
    case GIT_OPT_GET_EXTENSIONS:
    case GIT_OPT_GET_OWNER_VALIDATION:
    case GIT_OPT_GET_PACK_MAX_OBJECT_SIZE: {
        void *value = va_arg(arguments, void *);
        result = real(option, value);
        break;
    }
    // two pointers
    case GIT_OPT_GET_CACHED_MEMORY:
    case GIT_OPT_SET_SSL_CERT_LOCATIONS: {
        void *first = va_arg(arguments, void *);
        void *second = va_arg(arguments, void *);
        result = real(option, first, second);
        break;
    }
    // int, pointer
    case GIT_OPT_GET_SEARCH_PATH:
    case GIT_OPT_SET_SEARCH_PATH: {
        int level = va_arg(arguments, int);
        void *path = va_arg(arguments, void *);
        result = real(option, level, path);
        break;
    }
    // git_object_t (an int), size_t
    case GIT_OPT_SET_CACHE_OBJECT_LIMIT: {
        int type = va_arg(arguments, int);
        size_t size = va_arg(arguments, size_t);
        result = real(option, type, size);
        break;
    }
    // pointer, size_t
    case GIT_OPT_SET_EXTENSIONS: {
        void *extensions = va_arg(arguments, void *);
        size_t count = va_arg(arguments, size_t);
        result = real(option, extensions, count);
        break;
    }
    default:
        // An option this file does not know (a newer libgit2): its arguments are unknown too.
        fprintf(stderr, "release-guardian: error: git_libgit2_opts option %d is not forwarded (Sources/CLibGit2Loader/loader.c)\n", option);
        exit(2);
    }
    va_end(arguments);
    return result;
}

// As libgit2 does it: the parents into an array, then git_commit_create.
int git_commit_create_v(git_oid *id, git_repository *repo, const char *update_ref, const git_signature *author,
                        const git_signature *committer, const char *message_encoding, const char *message,
                        const git_tree *tree, size_t parent_count, ...) {
    const git_commit **parents = calloc(parent_count ? parent_count : 1, sizeof(*parents));
    if (!parents) return -1;
    va_list arguments;
    va_start(arguments, parent_count);
    for (size_t index = 0; index < parent_count; index++) parents[index] = va_arg(arguments, const git_commit *);
    va_end(arguments);
    int result = git_commit_create(id, repo, update_ref, author, committer, message_encoding, message, tree, parent_count, parents);
    free(parents);
    return result;
}

// Formatted here, set as a string.
void git_error_set(int error_class, const char *fmt, ...) {
    va_list arguments;
    va_start(arguments, fmt);
    char *message = NULL;
    int length = vasprintf(&message, fmt, arguments);
    va_end(arguments);
    git_error_set_str(error_class, length < 0 ? fmt : message);
    free(message);
}
