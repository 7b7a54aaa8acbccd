package connectors

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// MD5File returns the hex MD5 of a file, streaming it so that large parquet
// files are never held in memory. MD5 is what the manifest and the reference
// system publish for change detection; it is not used for security.
func MD5File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("md5 %s: %w", path, err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("md5 %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
