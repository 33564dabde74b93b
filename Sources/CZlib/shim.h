#include <zlib.h>

// inflateInit is a macro (it passes the library's version and struct size): a function for Swift.
static inline int rg_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
