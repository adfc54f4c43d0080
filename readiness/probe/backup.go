package probe

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Checks reported by Backup.
const (
	CheckBackupFresh     = "backup.fresh"
	CheckBackupEncrypted = "backup.encrypted"
)

// BackupOptions configure Backup.
type BackupOptions struct {
	// Pattern selects backup files by base name (filepath.Match); all files
	// when empty.
	Pattern string
	// Schedule is how often a backup should be taken.
	Schedule time.Duration
	Now      time.Time
}

// Recognised file formats by their leading bytes.
var (
	encryptedMagic = []struct {
		name  string
		magic []byte
	}{
		{"age", []byte("age-encryption.org/v1")},
		{"ASCII-armoured OpenPGP message", []byte("-----BEGIN PGP MESSAGE-----")},
		{"OpenSSL enc", []byte("Salted__")},
	}
	plainMagic = []struct {
		name  string
		magic []byte
		at    int
	}{
		{"PostgreSQL custom-format dump", []byte("PGDMP"), 0},
		{"gzip", []byte{0x1f, 0x8b}, 0},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}, 0},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0}, 0},
		{"bzip2", []byte("BZh"), 0},
		{"zip", []byte("PK\x03\x04"), 0},
		{"tar", []byte("ustar"), 257},
		{"SQL text", []byte("--"), 0},
		{"SQLite database", []byte("SQLite format 3\x00"), 0},
	}
)

// Backup finds the newest backup file under dir and judges its age against
// the schedule and whether its content is encrypted. A restic repository
// (config file plus snapshots/) is encrypted by design; its age is that of
// the newest snapshot.
func Backup(dir string, opts BackupOptions) []Finding {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
		if st, err := os.Stat(filepath.Join(dir, "snapshots")); err == nil && st.IsDir() {
			path, mod, err := newest(filepath.Join(dir, "snapshots"), "")
			if err != nil {
				return errorAll(err, CheckBackupFresh, CheckBackupEncrypted)
			}
			return []Finding{freshness(path, mod, opts), finding(CheckBackupEncrypted, Pass, "restic repository (AES-256 encrypted by design)")}
		}
	}
	path, mod, err := newest(dir, opts.Pattern)
	if err != nil {
		return errorAll(err, CheckBackupFresh, CheckBackupEncrypted)
	}
	return []Finding{freshness(path, mod, opts), encryption(path)}
}

func newest(dir, pattern string) (string, time.Time, error) {
	var best string
	var bestMod time.Time
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if pattern != "" {
			if ok, _ := filepath.Match(pattern, d.Name()); !ok {
				return nil
			}
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if best == "" || info.ModTime().After(bestMod) {
			best, bestMod = path, info.ModTime()
		}
		return nil
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("backup location: %w", err)
	}
	if best == "" {
		return "", time.Time{}, fmt.Errorf("no backup files in %s matching %q", dir, pattern)
	}
	return best, bestMod, nil
}

// freshness passes within the schedule, warns up to twice the schedule (one
// missed run) and fails beyond.
func freshness(path string, mod time.Time, opts BackupOptions) Finding {
	age := opts.Now.Sub(mod)
	desc := fmt.Sprintf("newest %s taken %s ago (%s), schedule every %s", filepath.Base(path), age.Round(time.Minute), mod.UTC().Format(time.RFC3339), opts.Schedule)
	switch {
	case age <= opts.Schedule:
		return finding(CheckBackupFresh, Pass, "%s", desc)
	case age <= 2*opts.Schedule:
		return finding(CheckBackupFresh, Warn, "%s: one run missed", desc)
	}
	return finding(CheckBackupFresh, Fail, "%s: backups are late", desc)
}

func encryption(path string) Finding {
	f, err := os.Open(path)
	if err != nil {
		return finding(CheckBackupEncrypted, Error, "%v", err)
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return finding(CheckBackupEncrypted, Error, "%v", err)
	}
	head = head[:n]
	name := filepath.Base(path)
	for _, m := range encryptedMagic {
		if bytes.HasPrefix(head, m.magic) {
			return finding(CheckBackupEncrypted, Pass, "%s is %s encrypted", name, m.name)
		}
	}
	if len(head) > 0 && isOpenPGPBinary(head[0]) {
		return finding(CheckBackupEncrypted, Pass, "%s is an OpenPGP encrypted message", name)
	}
	for _, m := range plainMagic {
		if len(head) >= m.at+len(m.magic) && bytes.Equal(head[m.at:m.at+len(m.magic)], m.magic) {
			return finding(CheckBackupEncrypted, Fail, "%s is an unencrypted %s", name, m.name)
		}
	}
	if e := entropy(head); e >= 7.9 && len(head) >= 4096 {
		return finding(CheckBackupEncrypted, Warn, "%s: format not recognised; content looks encrypted (%.2f bits/byte)", name, e)
	} else {
		return finding(CheckBackupEncrypted, Fail, "%s: format not recognised and content is not encrypted (%.2f bits/byte)", name, e)
	}
}

// isOpenPGPBinary recognises the first packet of a binary OpenPGP encrypted
// message: a public-key (tag 1) or symmetric-key (tag 3) encrypted session
// key packet, in old or new packet format.
func isOpenPGPBinary(b byte) bool {
	if b&0x80 == 0 {
		return false
	}
	var tag byte
	if b&0x40 != 0 {
		tag = b & 0x3f
	} else {
		tag = (b >> 2) & 0x0f
	}
	return tag == 1 || tag == 3
}

// entropy is the Shannon entropy of b in bits per byte: compressed data
// reaches about 7.9-8, ciphertext 8.
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(b))
			h -= p * math.Log2(p)
		}
	}
	return h
}
