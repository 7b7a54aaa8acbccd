package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/xdg-go/scram"
)

// perConnectionTLS clones base so that the certificate served in this
// handshake is recorded: SCRAM-SHA-256-PLUS binds to it
// (tls-server-end-point), and a server cannot read its own certificate
// from tls.ConnectionState. The certificate is chosen as crypto/tls would.
func perConnectionTLS(base *tls.Config) (*tls.Config, **tls.Certificate) {
	served := new(*tls.Certificate)
	cfg := base.Clone()
	getCert := base.GetCertificate
	certs := base.Certificates
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if getCert != nil {
			c, err := getCert(hello)
			if err != nil || c != nil {
				*served = c
				return c, err
			}
		}
		if len(certs) == 0 {
			return nil, errors.New("no TLS certificate configured")
		}
		for i := range certs {
			if len(certs) == 1 || hello.SupportsCertificate(&certs[i]) == nil {
				*served = &certs[i]
				return &certs[i], nil
			}
		}
		*served = &certs[0]
		return &certs[0], nil
	}
	cfg.Certificates = nil
	return cfg, served
}

// channelBinding is the tls-server-end-point binding data of the served
// certificate (RFC 5929 §4.1): its hash with the certificate's signature
// hash, SHA-256 for MD5 and SHA-1. ok is false when the certificate's
// algorithm defines no hash (Ed25519), as in PostgreSQL.
func channelBinding(cert *tls.Certificate) (scram.ChannelBinding, bool) {
	if cert == nil || len(cert.Certificate) == 0 {
		return scram.ChannelBinding{}, false
	}
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return scram.ChannelBinding{}, false
		}
	}
	var h hash.Hash
	switch leaf.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256, x509.DSAWithSHA256:
		h = sha256.New()
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = sha512.New384()
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = sha512.New()
	default:
		return scram.ChannelBinding{}, false
	}
	h.Write(leaf.Raw)
	return scram.ChannelBinding{Type: scram.ChannelBindingTLSServerEndpoint, Data: h.Sum(nil)}, true
}

// Files SelfSignedTLS keeps in its directory.
const (
	selfSignedCA      = "ca.crt"
	selfSignedCert    = "server.crt"
	selfSignedKey     = "server.key"
	selfSignedRenewal = 30 * 24 * time.Hour
)

// SelfSignedTLS returns a TLS configuration with a server certificate for
// localhost, 127.0.0.1 and ::1 signed by a private CA, and the path of the
// CA certificate, so that clients can verify the server
// (psql "sslmode=verify-full sslrootcert=<ca>"). The first call generates
// the CA and the certificate into dir (private key mode 0600, files
// written atomically); later calls reuse them until the certificate is
// within 30 days of expiry. The CA's private key is not kept: renewal makes
// a new CA.
func SelfSignedTLS(dir string) (*tls.Config, string, error) {
	caPath := filepath.Join(dir, selfSignedCA)
	certPath := filepath.Join(dir, selfSignedCert)
	keyPath := filepath.Join(dir, selfSignedKey)
	if cert, err := loadSelfSigned(caPath, certPath, keyPath); err == nil {
		return serverTLSConfig(cert), caPath, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create TLS directory %s: %w", dir, err)
	}
	caPEM, certPEM, keyPEM, err := generateSelfSigned()
	if err != nil {
		return nil, "", err
	}
	// key first: a certificate never appears without its key
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return nil, "", err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return nil, "", err
	}
	if err := writeFileAtomic(caPath, caPEM, 0o644); err != nil {
		return nil, "", err
	}
	cert, err := loadSelfSigned(caPath, certPath, keyPath)
	if err != nil {
		return nil, "", fmt.Errorf("load generated TLS certificate: %w", err)
	}
	return serverTLSConfig(cert), caPath, nil
}

func serverTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// loadSelfSigned loads the key pair and checks it is signed by the CA file
// and valid for long enough.
func loadSelfSigned(caPath, certPath, keyPath string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	caPEM, err := os.ReadFile(caPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return tls.Certificate{}, errors.New("no CA certificate in " + caPath)
	}
	leaf := cert.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return tls.Certificate{}, err
		}
	}
	if time.Until(leaf.NotAfter) < selfSignedRenewal {
		return tls.Certificate{}, errors.New("certificate expires soon")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		return tls.Certificate{}, err
	}
	return cert, nil
}

func generateSelfSigned() (caPEM, certPEM, keyPEM []byte, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Agnes local CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generate server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return caPEM, certPEM, keyPEM, nil
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n.Add(n, big.NewInt(1))
}

// writeFileAtomic writes data to a temporary file in the same directory,
// syncs it, and renames it over path.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
