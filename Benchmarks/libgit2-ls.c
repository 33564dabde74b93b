// libgit2 1.5 alone listing a remote's refs: `git_remote_connect` and `git_remote_ls`, nothing
// else (BENCHMARKS.md, "What was slow", 10): what release-guardian's step 1 cost before it read
// the advertisement itself.
//
//   cc -O2 -o /tmp/libgit2-ls Benchmarks/libgit2-ls.c -lgit2
//   hyperfine -N '/tmp/libgit2-ls git://127.0.0.1:PORT/origin.git'
#include <git2.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s URL\n", argv[0]);
        return 2;
    }
    git_libgit2_init();
    git_remote *remote;
    git_remote_callbacks callbacks;
    git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    if (git_remote_create_detached(&remote, argv[1]) != 0 ||
        git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, NULL, NULL) != 0) {
        fprintf(stderr, "%s\n", git_error_last()->message);
        return 1;
    }
    const git_remote_head **heads;
    size_t count;
    git_remote_ls(&heads, &count, remote);
    printf("%zu refs\n", count);
    return 0;
}
