#ifndef RELEASE_GUARDIAN_CCURL_H
#define RELEASE_GUARDIAN_CCURL_H

// libcurl's types and constants from its headers (Debian: libcurl4-openssl-dev), and the few of
// its functions release-guardian calls, under names of their own: libcurl is not linked but
// loaded when first needed (loader.c). Call rg_curl_load() first; the others assume it succeeded.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

/// Loads libcurl and initialises it, once: NULL when it is ready, else why it is not (a sentence
/// that lives as long as the process).
const char *rg_curl_load(void);

CURL *rg_curl_easy_init(void);
void rg_curl_easy_cleanup(CURL *handle);
CURLcode rg_curl_easy_perform(CURL *handle);
const char *rg_curl_easy_strerror(CURLcode code);

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one function per
// type of argument. Each refuses (CURLE_BAD_FUNCTION_ARGUMENT) an option of another type.
CURLcode rg_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
/// A string, a `curl_slist`, a `CURLU`, a buffer or callback data.
CURLcode rg_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode rg_curl_easy_setopt_write_function(CURL *handle, curl_write_callback function);
CURLcode rg_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

struct curl_slist *rg_curl_slist_append(struct curl_slist *list, const char *string);
void rg_curl_slist_free_all(struct curl_slist *list);

CURLU *rg_curl_url(void);
void rg_curl_url_cleanup(CURLU *handle);
CURLUcode rg_curl_url_set(CURLU *handle, CURLUPart part, const char *content, unsigned int flags);
/// `*content` is set to a string to free with rg_curl_free, or NULL.
CURLUcode rg_curl_url_get(CURLU *handle, CURLUPart part, char **content, unsigned int flags);
void rg_curl_free(void *pointer);

#endif
