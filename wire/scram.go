package wire

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/keboola/agnes/pgerr"
)

// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: the user name
// comes from the StartupMessage (the one in client-first-message is
// ignored, clients send it empty), the server offers SCRAM-SHA-256-PLUS
// first when the connection is on TLS.
//
// A user may have several active tokens; all share one salt and iteration
// count, so one server-first-message serves all of them. One xdg-go/scram
// conversation per token, all with the same server nonce, produce that
// same message; the client-final-message is then checked by each, and the
// one that validates names the token used.

const (
	mechSCRAM     = "SCRAM-SHA-256"
	mechSCRAMPlus = "SCRAM-SHA-256-PLUS"
	// mockIterations is the iteration count of fake exchanges (PostgreSQL's
	// default scram_iterations).
	mockIterations = 4096
	mockSaltLen    = 16
)

// scramAuth runs a SCRAM exchange for c.user.
func (c *conn) scramAuth(ctx context.Context) (authOutcome, error) {
	out := authOutcome{method: methodSCRAM}
	mechs := []string{mechSCRAM}
	var cb scram.ChannelBinding
	if c.tlsState != nil {
		var ok bool
		if cb, ok = channelBinding(c.tlsCert); ok {
			mechs = []string{mechSCRAMPlus, mechSCRAM}
		}
	}
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: mechs})
	var first pgproto3.SASLInitialResponse
	if err := c.readAuthMessage(&first); err != nil {
		return out, err
	}
	plus := first.AuthMechanism == mechSCRAMPlus
	if first.AuthMechanism != mechSCRAM && !(plus && len(mechs) == 2) {
		return out, pgerr.New(pgerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism")
	}
	if plus {
		out.method = methodSCRAMPlus
	}
	clientFirst := string(first.Data)
	// The GS2 flag must agree with the mechanism: 'p' (binding used) only
	// with -PLUS, and -PLUS only with 'p'. xdg-go/scram checks the rest
	// (a 'y' flag while -PLUS was offered is a downgrade).
	if usesBinding := strings.HasPrefix(clientFirst, "p="); usesBinding != plus {
		return out, pgerr.New(pgerr.ProtocolViolation, "channel binding flag does not match the SASL mechanism %s", first.AuthMechanism)
	}

	p, creds, err := c.srv.backend.SCRAMCredentials(ctx, c.user)
	if err != nil {
		return out, err
	}
	if p == nil || len(creds) == 0 {
		creds = nil
		out.reason = "unknown user or no active token"
	}

	nonce := scramNonce()
	newConv := func(cred scram.StoredCredentials) *scram.ServerConversation {
		srv, _ := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return cred, nil })
		srv.WithNonceGenerator(func() string { return nonce })
		if cb.IsSupported() {
			return srv.NewConversationWithChannelBinding(cb)
		}
		return srv.NewConversation()
	}
	type candidate struct {
		conv  *scram.ServerConversation
		token string
	}
	var cands []candidate
	for _, cr := range creds {
		cands = append(cands, candidate{conv: newConv(scram.StoredCredentials{
			KeyFactors: scram.KeyFactors{Salt: string(cr.Salt), Iters: cr.Iters},
			StoredKey:  cr.StoredKey,
			ServerKey:  cr.ServerKey,
		}), token: cr.TokenID})
	}
	if len(cands) == 0 {
		cands = append(cands, candidate{conv: newConv(c.mockCredential())})
	}

	var serverFirst string
	kept := cands[:0]
	for _, cd := range cands {
		resp, err := cd.conv.Step(clientFirst)
		if err != nil {
			return out, pgerr.New(pgerr.ProtocolViolation, "malformed SCRAM message: %v", err)
		}
		switch {
		case serverFirst == "":
			serverFirst = resp
			kept = append(kept, cd)
		case resp == serverFirst:
			kept = append(kept, cd)
		default:
			// a token with another salt cannot be checked against the
			// message already chosen
			c.log.Warn("SCRAM credentials of one user have different salts; ignoring a token", "token", cd.token)
		}
	}
	cands = kept
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})

	var final pgproto3.SASLResponse
	if err := c.readAuthMessage(&final); err != nil {
		return out, err
	}
	clientFinal := string(final.Data)
	for _, cd := range cands {
		resp, err := cd.conv.Step(clientFinal)
		if err != nil || !cd.conv.Valid() || p == nil || len(creds) == 0 {
			continue
		}
		c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(resp)})
		tok := *p
		tok.TokenID = cd.token
		out.principal = &tok
		return out, nil
	}
	if out.reason == "" {
		out.reason = "invalid token"
	}
	return out, nil
}

// mockCredential is the stand-in verifier of a user that does not exist:
// its salt is derived from the user name, so repeated attempts see the
// same salt, as they would for a real user, and different names see
// different salts. No proof validates against it.
func (c *conn) mockCredential() scram.StoredCredentials {
	mac := hmac.New(sha256.New, c.srv.cfg.MockSaltSecret)
	mac.Write([]byte("salt\x00"))
	mac.Write([]byte(strings.ToLower(c.user)))
	salt := mac.Sum(nil)[:mockSaltLen]
	key := make([]byte, sha256.Size)
	_, _ = rand.Read(key)
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(salt), Iters: mockIterations},
		StoredKey:  key,
		ServerKey:  key,
	}
}

// scramNonce is the server's part of the SCRAM nonce (printable, no comma).
func scramNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
