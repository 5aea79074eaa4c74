#ifndef FERRY_CGIT2_SHIM_H
#define FERRY_CGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/hashsig.h>
#include <git2/sys/remote.h>
#include <git2/sys/transport.h>

/*
 * git_libgit2_opts is variadic and does not import into Swift.
 *
 * libgit2 re-hashes every object it reads from the object database; git does not.
 * Objects are verified once, when a fetch indexes them (their ids are computed from
 * their content), so hashing them again on every read only slows reads (a 100,000-file
 * commit diff: 13 ms with it, 7 ms without).
 */
static inline int ferry_git_disable_strict_hash_verification(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

/*
 * The certificate authorities HTTPS remotes are checked against (a PEM file, a directory
 * of them, or both; NULL for neither). Process-wide: it replaces what libgit2 trusted.
 */
static inline int ferry_git_set_ssl_cert_locations(const char *file, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}

/*
 * Ferry's SSH subtransport for libgit2's smart protocol.
 *
 * libgit2 hands the callbacks back the address of the `parent` member; each
 * struct starts with it, so a callback converts that address to the whole
 * struct with the helpers below and finds Ferry's state next to it.
 */
typedef struct ferry_git_ssh_stream {
    git_smart_subtransport_stream parent;
    /* A retained Swift object: the command stream and the operation it serves. */
    void *state;
} ferry_git_ssh_stream;

typedef struct ferry_git_ssh_subtransport {
    git_smart_subtransport parent;
    /* The smart transport that owns this subtransport (holds the connect options). */
    git_transport *owner;
    /* The stream opened for UPLOADPACK_LS, reused for the UPLOADPACK that follows. */
    ferry_git_ssh_stream *current_stream;
} ferry_git_ssh_subtransport;

static inline ferry_git_ssh_subtransport *ferry_git_ssh_subtransport_from(git_smart_subtransport *parent) {
    return (ferry_git_ssh_subtransport *)parent;
}

static inline ferry_git_ssh_stream *ferry_git_ssh_stream_from(git_smart_subtransport_stream *parent) {
    return (ferry_git_ssh_stream *)parent;
}

static inline git_smart_subtransport *ferry_git_ssh_subtransport_parent(ferry_git_ssh_subtransport *subtransport) {
    return &subtransport->parent;
}

static inline git_smart_subtransport_stream *ferry_git_ssh_stream_parent(ferry_git_ssh_stream *stream) {
    return &stream->parent;
}

#endif
