package wire

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// peerClosed reports whether the client has closed or reset the TCP
// connection, without reading from it: poll(2) with POLLRDHUP sees the
// peer's FIN even when unread (pipelined or TLS) bytes are pending.
func peerClosed(rc syscall.RawConn) bool {
	closed := false
	_ = rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		n, err := unix.Poll(fds, 0)
		if err == nil && n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0 {
			closed = true
		}
	})
	return closed
}
