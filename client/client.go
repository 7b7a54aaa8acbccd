package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Client talks to one Agnes server with one personal access token.
type Client struct {
	server string
	token  string
	// HTTP is the underlying client; replace it to change timeouts or
	// transport (tests, proxies).
	HTTP *http.Client
	// UserAgent is sent with every request.
	UserAgent string
}

// New returns a client for server (a base URL such as
// "http://127.0.0.1:8000"; "http://" is assumed when no scheme is given)
// authenticating with token ("" for public endpoints only).
func New(server, token string) *Client {
	return &Client{
		server: NormalizeServer(server),
		token:  token,
		HTTP: &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 10 * time.Minute, // a registry rebuild answers when it is done
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}},
		UserAgent: "agnes-cli",
	}
}

// NormalizeServer trims a server URL and its trailing slashes and adds
// "http://" when no scheme is given.
func NormalizeServer(server string) string {
	s := strings.TrimRight(strings.TrimSpace(server), "/")
	if s != "" && !strings.Contains(s, "://") {
		s = "http://" + s
	}
	return s
}

// Server returns the base URL requests go to.
func (c *Client) Server() string { return c.server }

// APIError is an error response of the server: its status and the
// {"error", "message"} body.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error reads "<message> (HTTP 403 forbidden)".
func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d %s)", e.Message, e.Status, e.Code)
}

// UnreachableError means no HTTP answer came back: the server is down, the
// address is wrong, or the network is in the way.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s: %s — is `agnes serve` running?", e.Server, reason(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// reason is the innermost useful part of a transport error
// ("connection refused", "lookup x: no such host").
func reason(err error) string {
	var sc *os.SyscallError
	if errors.As(err, &sc) {
		return sc.Err.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Do sends a JSON request and decodes a JSON answer. in nil sends no body;
// out nil discards the answer. A non-2xx answer is an *APIError, a request
// that got no answer an *UnreachableError.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	resp, err := c.Stream(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the server's answer is not the expected JSON: %w", method, path, err)
	}
	return nil
}

// Stream sends a request and returns the response of a 2xx answer for the
// caller to read and close (downloads). Errors are as for Do.
func (c *Client) Stream(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	if c.server == "" {
		return nil, errors.New("no server configured")
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		return nil, &UnreachableError{Server: c.server, Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, decodeError(resp)
}

// decodeError reads an error answer. Bodies that are not the API's error
// shape (a proxy's HTML page) still give a useful message.
func decodeError(resp *http.Response) *APIError {
	e := &APIError{Status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Error != "" {
		e.Code, e.Message = body.Error, body.Message
	}
	if e.Code == "" {
		e.Code = strings.ReplaceAll(strings.ToLower(http.StatusText(resp.StatusCode)), " ", "_")
	}
	if e.Message == "" {
		e.Message = "the server refused the request"
		if text := strings.TrimSpace(string(raw)); text != "" && len(text) < 200 && !strings.Contains(text, "<") {
			e.Message = text
		}
	}
	return e
}
