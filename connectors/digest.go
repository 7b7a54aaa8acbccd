package connectors

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// Digests are the checksums of a table's parquet file the registry keeps
// and the manifest publishes:
//
//   - MD5 is the file's identity: what the reference system publishes, the
//     download ETag, the key of change detection on analysts' machines and
//     of the server's native copies.
//   - SHA256 is what `agnes pull` verifies the downloaded bytes against. It
//     is the stronger digest, and with the SHA instructions of current CPUs
//     about twice as fast as MD5, so verifying a download no longer costs
//     more time than receiving it.
type Digests struct {
	MD5    string
	SHA256 string
}

// hashChunk is the read size of FileDigests; hashBuffers chunks are in
// flight.
const (
	hashChunk   = 1 << 20
	hashBuffers = 4
)

// FileDigests returns the MD5 and SHA-256 of a file in one read. The two
// hashes run on their own goroutines over the same chunks, so the pair
// costs about the time of the slower one (MD5).
//
// Files are streamed, so large parquet files are never held in memory.
func FileDigests(path string) (Digests, error) {
	m, s := md5.New(), sha256.New()
	f, err := os.Open(path)
	if err != nil {
		return Digests{}, fmt.Errorf("checksum %s: %w", path, err)
	}
	defer f.Close()
	// Each chunk goes to both hashers and comes back to free when both
	// are done with it.
	free := make(chan []byte, hashBuffers)
	for range hashBuffers {
		free <- make([]byte, hashChunk)
	}
	toM, toS := make(chan []byte, hashBuffers), make(chan []byte, hashBuffers)
	doneM, doneS := make(chan []byte, hashBuffers), make(chan struct{})
	go func() {
		for c := range toM {
			m.Write(c)
			doneM <- c
		}
		close(doneM)
	}()
	go func() {
		for c := range toS {
			s.Write(c)
			// The MD5 side may still be reading c: wait for it before
			// handing the buffer back.
			free <- (<-doneM)[:hashChunk]
		}
		close(doneS)
	}()
	var rerr error
	for {
		buf := <-free
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			toM <- buf[:n]
			toS <- buf[:n]
		} else {
			free <- buf
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(toM)
	close(toS)
	<-doneS
	if rerr != nil {
		return Digests{}, fmt.Errorf("checksum %s: %w", path, rerr)
	}
	return Digests{MD5: hex.EncodeToString(m.Sum(nil)), SHA256: hex.EncodeToString(s.Sum(nil))}, nil
}
