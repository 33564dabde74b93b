#ifndef RELEASE_GUARDIAN_CLIBGIT2_SHIM_H
#define RELEASE_GUARDIAN_CLIBGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/transport.h>

// git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option we use.
static inline int rg_libgit2_set_search_path(git_config_level_t level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, (int)level, path);
}

// Trust the certificates in `file` (PEM) for HTTPS remotes, on top of nothing else.
static inline int rg_libgit2_set_ssl_cert_file(const char *file) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, (const char *)NULL);
}

// A smart subtransport wrapping one of libgit2's own (git, ssh, http), and one of its streams:
// libgit2 sees `parent` (the first member, as libgit2's own subtransports are laid out); `box` is
// the Swift state (Remote's advertisement capture, RefAdvertisement.swift).
typedef struct {
    git_smart_subtransport parent;
    void *box;
} rg_subtransport;

typedef struct {
    git_smart_subtransport_stream parent;
    git_smart_subtransport_stream *inner;
    void *box;
} rg_subtransport_stream;

#endif
