package httpapi

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/keboola/agnes/rbac"
)

// Failed bearer (and git Basic) authentications are throttled per client
// address like failed logins on the Postgres wire: a client may fail
// authFailureBurst times in a row, then once per authFailureRefill; until
// then every request of that address is answered 429 with Retry-After,
// the right token included, so guessing tokens gains nothing. A request
// without credentials is not counted.
const (
	authFailureBurst  = 10
	authFailureRefill = 30 * time.Second
)

// CodeTooManyRequests answers a client that failed authentication too often.
const CodeTooManyRequests = "too_many_requests"

// AuthThrottle counts failed authentications per client address.
type AuthThrottle struct{ l *rbac.FailureLimiter }

// NewAuthThrottle returns a throttle allowing burst failures in a row per
// address (0: the default, 10), then one per 30 seconds.
func NewAuthThrottle(burst int) *AuthThrottle {
	if burst <= 0 {
		burst = authFailureBurst
	}
	return &AuthThrottle{l: rbac.NewFailureLimiter(burst, authFailureRefill)}
}

// Refuse answers 429 and reports true when r's client must wait before it
// may authenticate again.
func (t *AuthThrottle) Refuse(w http.ResponseWriter, r *http.Request) bool {
	wait := t.l.Wait(clientKey(r))
	if wait <= 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
	WriteError(w, http.StatusTooManyRequests, CodeTooManyRequests,
		"too many failed authentication attempts from this address; try again later")
	return true
}

// Failed records a failed authentication of r's client.
func (t *AuthThrottle) Failed(r *http.Request) { t.l.Fail(clientKey(r)) }

// clientKey is the throttle key of a request's client: its IP address.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}
