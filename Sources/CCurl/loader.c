// libcurl, loaded when the first webhook notice is sent instead of at start-up.
//
// Why: linking libcurl (Debian's, with OpenSSL, nghttp2, libssh2, Kerberos, LDAP, RTMP, PSL, IDN…:
// 33 libraries) costs about 6 ms at every start (hyperfine, 500 runs: an empty C program 0.6 ms, the
// same linked with -lcurl -z lazy 6.1–6.7 ms), more than the pre-push hook's whole check of a push
// of branches, which never sends a notice. So nothing links it: the functions below find the real ones with dlopen and dlsym on
// the first rg_curl_load(). libcurl's ABI has been stable since 7.16 (soname libcurl.so.4); the
// GnuTLS build Debian's git uses (libcurl-gnutls.so.4) has the same ABI and serves when the
// OpenSSL one is not installed.
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
    void (*free)(void *);
} curl;

static void load(void) {
    static const char *const sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    void *library = NULL;
    const char *soname = NULL;
    char first_error[256] = "";
    for (size_t index = 0; index < sizeof(sonames) / sizeof(*sonames) && !library; index++) {
        soname = sonames[index];
        library = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
        if (!library && index == 0) snprintf(first_error, sizeof(first_error), "%s", dlerror());
    }
    if (!library) {
        snprintf(failure, sizeof(failure), "libcurl cannot be loaded (%s): install it (Debian: apt-get install libcurl4)",
                 first_error);
        return;
    }
#define RG_FIND(field, name)                                                                              \
    if (!(*(void **)&curl.field = dlsym(library, name))) {                                                \
        snprintf(failure, sizeof(failure), "%s has no function %s (libcurl 7.80 or later is needed)", soname, name); \
        return;                                                                                           \
    }
    RG_FIND(global_init, "curl_global_init")
    RG_FIND(easy_init, "curl_easy_init")
    RG_FIND(easy_cleanup, "curl_easy_cleanup")
    RG_FIND(easy_perform, "curl_easy_perform")
    RG_FIND(easy_strerror, "curl_easy_strerror")
    RG_FIND(easy_setopt, "curl_easy_setopt")
    RG_FIND(easy_getinfo, "curl_easy_getinfo")
    RG_FIND(slist_append, "curl_slist_append")
    RG_FIND(slist_free_all, "curl_slist_free_all")
    RG_FIND(url, "curl_url")
    RG_FIND(url_cleanup, "curl_url_cleanup")
    RG_FIND(url_set, "curl_url_set")
    RG_FIND(url_get, "curl_url_get")
    RG_FIND(free, "curl_free")
    // curl_url_strerror (7.80) is not called, only required: it dates the URL API this relies on.
    if (!dlsym(library, "curl_url_strerror")) {
        snprintf(failure, sizeof(failure), "%s is older than libcurl 7.80, which is needed", soname);
        return;
    }
#undef RG_FIND
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) snprintf(failure, sizeof(failure), "libcurl cannot start: %s", curl.easy_strerror(code));
}

const char *rg_curl_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

CURL *rg_curl_easy_init(void) { return curl.easy_init(); }
void rg_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
CURLcode rg_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *rg_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

// An option's number says the type of its argument (<curl/curl.h>: CURLOPTTYPE_*).
static int takes(CURLoption option, int type) { return (int)option / 10000 * 10000 == type; }

CURLcode rg_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    if (!takes(option, CURLOPTTYPE_LONG)) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl.easy_setopt(handle, option, value);
}

CURLcode rg_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    if (!takes(option, CURLOPTTYPE_OBJECTPOINT)) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl.easy_setopt(handle, option, value);
}

CURLcode rg_curl_easy_setopt_write_function(CURL *handle, curl_write_callback function) {
    return curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}

CURLcode rg_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_LONG) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl.easy_getinfo(handle, info, value);
}

struct curl_slist *rg_curl_slist_append(struct curl_slist *list, const char *string) { return curl.slist_append(list, string); }
void rg_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLU *rg_curl_url(void) { return curl.url(); }
void rg_curl_url_cleanup(CURLU *handle) { curl.url_cleanup(handle); }
CURLUcode rg_curl_url_set(CURLU *handle, CURLUPart part, const char *content, unsigned int flags) {
    return curl.url_set(handle, part, content, flags);
}
CURLUcode rg_curl_url_get(CURLU *handle, CURLUPart part, char **content, unsigned int flags) {
    *content = NULL;
    return curl.url_get(handle, part, content, flags);
}
void rg_curl_free(void *pointer) { curl.free(pointer); }
