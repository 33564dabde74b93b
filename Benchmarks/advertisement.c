// What a fetch's ref advertisement costs by itself: connects to a `git daemon`, asks for the
// advertisement (protocol v0, as libgit2 1.5 does, or v2 `ls-refs` with ref-prefixes
// refs/heads/ and refs/tags/, as git 2.39 does), reads it to the end in 64 KiB reads and counts
// its lines; nothing else. The time of one run is what no client of that protocol can beat:
// the server producing and sending the refs (BENCHMARKS.md, "What was slow", 10).
//
//   cc -O2 -o /tmp/advertisement Benchmarks/advertisement.c
//   hyperfine -N '/tmp/advertisement PORT /origin.git v0' '/tmp/advertisement PORT /origin.git v2'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char out[4096];
static size_t outLength;

static void packet(const char *text, size_t length) {
    snprintf(out + outLength, 5, "%04zx", length + 4);
    memcpy(out + outLength + 4, text, length);
    outLength += length + 4;
}

static void special(const char *four) {
    memcpy(out + outLength, four, 4);
    outLength += 4;
}

static void send_all(int fd) {
    if (write(fd, out, outLength) != (ssize_t)outLength) {
        perror("write");
        exit(2);
    }
    outLength = 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT PATH v0|v2\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), v2 = strcmp(argv[3], "v2") == 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("connect");
        return 2;
    }
    char request[512];
    int length = snprintf(request, sizeof request, "git-upload-pack %s%chost=127.0.0.1:%d%c", argv[2], 0, port, 0);
    if (v2) length += snprintf(request + length, sizeof request - length, "%cversion=2%c", 0, 0);
    packet(request, length);
    send_all(fd);

    static char buffer[1 << 20];
    size_t have = 0, position = 0;
    long lines = 0;
    int flushes = 0, sent = !v2;
    for (;;) {
        while (have - position >= 4) {
            char digits[5] = {buffer[position], buffer[position + 1], buffer[position + 2], buffer[position + 3], 0};
            long size = strtol(digits, 0, 16);
            if (size == 0) {
                position += 4;
                flushes++;
                if (!sent) {  // v2: the capabilities came; ask for the refs
                    packet("command=ls-refs\n", 16);
                    special("0001");
                    packet("ref-prefix refs/heads/\n", 23);
                    packet("ref-prefix refs/tags/\n", 22);
                    special("0000");
                    send_all(fd);
                    sent = 1;
                    continue;
                }
                printf("%ld lines\n", lines);
                return 0;
            }
            if (have - position < (size_t)size) break;
            lines++;
            position += size;
        }
        memmove(buffer, buffer + position, have - position);
        have -= position;
        position = 0;
        // Acknowledge at once: git's server writes its last small packet behind Nagle's
        // algorithm, which would otherwise wait for a delayed ACK (40 ms).
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        ssize_t count = read(fd, buffer + have, sizeof buffer - have);
        if (count <= 0) {
            fprintf(stderr, "the connection ended after %ld lines\n", lines);
            return 1;
        }
        have += count;
    }
}
