#ifndef FERRY_CSSH2_SHIM_H
#define FERRY_CSSH2_SHIM_H

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <libssh2.h>
#include <libssh2_sftp.h>

/* libssh2's function-like macros do not import into Swift: the few Ferry
   needs are wrapped here as static inline functions with the same meaning. */

static inline LIBSSH2_SESSION *ferry_ssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline LIBSSH2_CHANNEL *ferry_ssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int ferry_ssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command, unsigned int length) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, length);
}

static inline int ferry_ssh2_channel_subsystem(LIBSSH2_CHANNEL *channel, const char *name, unsigned int length) {
    return libssh2_channel_process_startup(channel, "subsystem", sizeof("subsystem") - 1, name, length);
}

static inline ssize_t ferry_ssh2_channel_read_stdout(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, 0, buffer, length);
}

static inline ssize_t ferry_ssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, length);
}

static inline ssize_t ferry_ssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline int ferry_ssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

/* Socket I/O for a session: counts the bytes received, so the event loop can
   tell whether a pass over its operations consumed data from the socket
   (data libssh2 queued for a channel whose operation already ran in that
   pass), and retries EINTR, which libssh2 would treat as a fatal error. */

typedef struct {
    unsigned long long received;
} ferry_ssh2_io_counter;

static inline ssize_t ferry_ssh2_counting_recv(libssh2_socket_t socket, void *buffer, size_t length,
                                               int flags, void **abstract) {
    ssize_t result;
    do {
        result = recv(socket, buffer, length, flags);
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
    if (abstract != NULL && *abstract != NULL) {
        ((ferry_ssh2_io_counter *)*abstract)->received += (unsigned long long)result;
    }
    return result;
}

static inline ssize_t ferry_ssh2_retrying_send(libssh2_socket_t socket, const void *buffer, size_t length,
                                               int flags, void **abstract) {
    ssize_t result;
    (void)abstract;
    do {
        result = send(socket, buffer, length, flags);
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
    return result;
}

/* Installs the counting socket I/O above on a session; `counter` must outlive it. */
static inline void ferry_ssh2_install_socket_io(LIBSSH2_SESSION *session, ferry_ssh2_io_counter *counter) {
    *libssh2_session_abstract(session) = counter;
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, (void *)ferry_ssh2_counting_recv);
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_SEND, (void *)ferry_ssh2_retrying_send);
}

#endif
