// Nothing to import: this target defines libgit2's functions for the linker (wrappers.c), loading
// libgit2 on the first call (loader.c). Swift code keeps calling them through CLibGit2.
