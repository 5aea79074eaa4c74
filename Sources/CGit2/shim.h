#ifndef FERRY_CGIT2_SHIM_H
#define FERRY_CGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/transport.h>

/* git_libgit2_opts is variadic and does not import into Swift. */
static inline int ferry_git_disable_owner_validation(void) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

#endif
