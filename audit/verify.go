package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions say what the verifier trusts.
type VerifyOptions struct {
	// TrustedKeys are verifier keys (note format) obtained out of band. When
	// empty the bundle's own keys are used, which proves only internal
	// consistency: the report warns.
	TrustedKeys []string
	// TrustedCheckpoint is a signed checkpoint saved earlier; the bundle must
	// extend it (no fork, no truncation).
	TrustedCheckpoint []byte
	// Progress, if set, is called every 100,000 entries.
	Progress func(entries int64)
}

// Report is the outcome of a verification.
type Report struct {
	OK             bool     `json:"ok"`
	Origin         string   `json:"origin"`
	FirstIndex     int64    `json:"first_index"`
	Entries        int64    `json:"entries"`
	Checkpoints    int      `json:"checkpoints_verified"`
	VerifiedSize   int64    `json:"verified_size"`
	VerifiedRoot   string   `json:"verified_root,omitempty"`
	FirstBadIndex  *int64   `json:"first_bad_index,omitempty"`
	Failure        string   `json:"failure,omitempty"`
	Warnings       []string `json:"warnings,omitempty"`
	KeysFromBundle bool     `json:"keys_from_bundle"`
}

// VerifyError is a verification failure naming the first bad index (-1 when
// the failure is not about one entry, e.g. a bad signature).
type VerifyError struct {
	Index   int64
	Message string
}

func (e *VerifyError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("audit log verification failed at index %d: %s", e.Index, e.Message)
	}
	return "audit log verification failed: " + e.Message
}

type checkpointAt struct {
	size int64
	root tlog.Hash
}

// Verify recomputes the Merkle tree of a bundle from its entries and checks
// every checkpoint's signature and root, using nothing but the bundle and the
// options. The report's Failure (and the returned *VerifyError) names the
// first problem found.
func Verify(r io.Reader, opts VerifyOptions) (*Report, error) {
	rep := &Report{}
	fail := func(index int64, format string, args ...any) (*Report, error) {
		e := &VerifyError{Index: index, Message: fmt.Sprintf(format, args...)}
		rep.OK, rep.Failure = false, e.Message
		if index >= 0 {
			rep.FirstBadIndex = &index
		}
		return rep, e
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	lineNo := 0
	next := func() (*bundleLine, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		lineNo++
		var l bundleLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		return &l, nil
	}
	hdr, err := next()
	if err != nil || hdr.Type != "header" || hdr.Format != BundleFormat || hdr.FirstIndex == nil || hdr.Size == nil {
		return fail(-1, "not a %s bundle (bad or missing header line)", BundleFormat)
	}
	rep.Origin, rep.FirstIndex = hdr.Origin, *hdr.FirstIndex
	first, size := *hdr.FirstIndex, *hdr.Size

	var bundleKeys []string
	var frontier []tlog.Hash
	var cps []checkpointAt
	var rawCheckpoints [][]byte
	var line *bundleLine
	for {
		line, err = next()
		if err == io.EOF {
			line = nil
			break
		} else if err != nil {
			return fail(-1, "malformed bundle: %v", err)
		}
		switch line.Type {
		case "key":
			bundleKeys = append(bundleKeys, line.VKey)
			continue
		case "frontier":
			frontier = line.Hashes
			continue
		case "checkpoint":
			rawCheckpoints = append(rawCheckpoints, []byte(line.Note))
			continue
		}
		break
	}
	keys := opts.TrustedKeys
	if len(keys) == 0 {
		keys = bundleKeys
		rep.KeysFromBundle = true
		rep.Warnings = append(rep.Warnings, "no trusted key given: checkpoint signatures were checked against the keys inside the bundle, which proves consistency but not origin; pass the published public key")
	}
	verifiers, err := parseVerifiers(keys)
	if err != nil {
		return fail(-1, "%v", err)
	}
	for _, raw := range rawCheckpoints {
		origin, n, root, err := OpenCheckpoint(raw, verifiers)
		if err != nil {
			return fail(-1, "checkpoint is forged or signed by an untrusted key: %v", err)
		}
		if origin != rep.Origin {
			return fail(-1, "checkpoint for size %d names origin %q, the bundle %q", n, origin, rep.Origin)
		}
		cps = append(cps, checkpointAt{size: n, root: root})
	}
	var trusted *checkpointAt
	if len(opts.TrustedCheckpoint) > 0 {
		origin, n, root, err := OpenCheckpoint(opts.TrustedCheckpoint, verifiers)
		if err != nil {
			return fail(-1, "trusted checkpoint: %v", err)
		}
		if origin != rep.Origin {
			return fail(-1, "trusted checkpoint is for origin %q, the bundle is %q", origin, rep.Origin)
		}
		trusted = &checkpointAt{size: n, root: root}
		if n < first {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("trusted checkpoint (size %d) predates the bundle's first entry %d: check it against the archive that holds those entries", n, first))
			trusted = nil
		} else {
			cps = append(cps, *trusted)
		}
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })

	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	var rng *compact.Range
	if first == 0 {
		rng = rf.NewEmptyRange(0)
	} else {
		hs := make([][]byte, len(frontier))
		for i := range frontier {
			hs[i] = frontier[i][:]
		}
		if rng, err = rf.NewRange(0, uint64(first), hs); err != nil {
			return fail(first, "frontier hashes for the pruned prefix are malformed: %v", err)
		}
	}
	// lastGood is the largest checkpointed size whose root matched.
	lastGood := first
	var firstHashMismatch int64 = -1
	ci := 0
	for ci < len(cps) && cps[ci].size < first {
		ci++
	}
	check := func(end int64) (*Report, error) {
		for ci < len(cps) && cps[ci].size == end {
			got, err := rng.GetRootHash(nil)
			if err != nil {
				return fail(end-1, "tree: %v", err)
			}
			if !bytes.Equal(got, cps[ci].root[:]) {
				if firstHashMismatch >= 0 {
					return fail(firstHashMismatch, "entry content does not match its recorded leaf hash")
				}
				if trusted != nil && cps[ci] == *trusted {
					// The bundle's own checkpoints cannot vouch against a
					// trusted one: anything from the first entry on is suspect.
					return fail(first, "the log forked from the trusted checkpoint at size %d: entries [%d, %d) no longer produce its root", end, first, end)
				}
				return fail(lastGood, "entries in [%d, %d) were altered: the tree no longer matches the signed checkpoint at size %d", lastGood, end, end)
			}
			rep.Checkpoints++
			rep.VerifiedSize = end
			rep.VerifiedRoot = hex.EncodeToString(got)
			lastGood = end
			ci++
		}
		return nil, nil
	}
	if r, err := check(first); err != nil {
		return r, err
	}
	expect := first
	for line != nil {
		if line.Type != "entry" || line.Index == nil {
			return fail(expect, "unexpected %q line among entries (line %d)", line.Type, lineNo)
		}
		switch idx := *line.Index; {
		case idx > expect:
			return fail(expect, "entry %d is missing (the next entry is %d)", expect, idx)
		case idx < expect:
			return fail(idx, "entry %d appears out of order or twice (expected %d)", idx, expect)
		}
		leaf := tlog.RecordHash(line.Entry)
		if line.Hash != nil && *line.Hash != leaf && firstHashMismatch < 0 {
			firstHashMismatch = expect
		}
		if idx, ok := entryIndex(line.Entry); !ok || idx != expect {
			return fail(expect, "entry at position %d does not carry index %d: entries were reordered or altered", expect, expect)
		}
		if err := rng.Append(leaf[:], nil); err != nil {
			return fail(expect, "tree: %v", err)
		}
		expect++
		rep.Entries++
		if r, err := check(expect); err != nil {
			return r, err
		}
		if opts.Progress != nil && rep.Entries%100000 == 0 {
			opts.Progress(rep.Entries)
		}
		if line, err = next(); err == io.EOF {
			line = nil
		} else if err != nil {
			return fail(expect, "malformed bundle: %v", err)
		}
	}
	if firstHashMismatch >= 0 {
		return fail(firstHashMismatch, "entry content does not match its recorded leaf hash")
	}
	if ci < len(cps) {
		if trusted != nil && trusted.size > expect {
			return fail(expect, "the log was truncated: the trusted checkpoint covers %d entries, the bundle ends at %d", trusted.size, expect)
		}
		return fail(expect, "the log was truncated: a signed checkpoint covers %d entries, the bundle ends at %d", cps[ci].size, expect)
	}
	if expect != size {
		return fail(expect, "the header promises %d entries, the bundle ends at %d", size, expect)
	}
	if rep.VerifiedSize < expect {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d entries after the newest checkpoint (size %d) are not yet covered by a signed checkpoint", expect-rep.VerifiedSize, rep.VerifiedSize))
	}
	rep.OK = true
	return rep, nil
}

func parseVerifiers(vkeys []string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("public key %q: %w", k, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("no public keys to check checkpoints with")
	}
	return note.VerifierList(vs...), nil
}

// entryIndex returns the top-level "index" member of an entry (JSON the
// line decoder has already validated) without decoding the rest; anything
// unusual (escaped keys, non-integer numbers) goes through encoding/json.
func entryIndex(b []byte) (int64, bool) {
	slow := func() (int64, bool) {
		var inner struct {
			Index *int64 `json:"index"`
		}
		if err := json.Unmarshal(b, &inner); err != nil || inner.Index == nil {
			return 0, false
		}
		return *inner.Index, true
	}
	depth, expectKey := 0, false
	var idx int64
	found := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1
		case '"':
			j := i + 1
			plain := true
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' || b[j] >= utf8.RuneSelf {
					plain = false
					if b[j] == '\\' {
						j++
					}
				}
				j++
			}
			if expectKey && depth == 1 {
				key := string(b[i+1 : j])
				// encoding/json matches keys case-insensitively, after
				// unescaping: leave anything but plain ASCII keys to it.
				if !plain || key != "index" && strings.EqualFold(key, "index") {
					return slow()
				}
				if key == "index" {
					k := j + 1
					for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r' || b[k] == ':') {
						k++
					}
					e := k
					for e < len(b) && (b[e] == '-' || b[e] >= '0' && b[e] <= '9') {
						e++
					}
					if e == k || e < len(b) && (b[e] == '.' || b[e] == 'e' || b[e] == 'E') {
						return slow()
					}
					v, err := strconv.ParseInt(string(b[k:e]), 10, 64)
					if err != nil {
						return slow()
					}
					idx, found = v, true
					j = e - 1
				}
				expectKey = false
			}
			i = j
		}
	}
	return idx, found
}

// VerifyStore verifies the log as stored: every entry and checkpoint
// through the bundle verifier (with the log's own public keys), then every
// stored tree hash, which proofs are served from, against hashes recomputed
// from the entries.
func (l *Log) VerifyStore(ctx context.Context, opts VerifyOptions) (*Report, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(l.Export(ctx, pw, nil)) }()
	rep, err := Verify(pr, opts)
	pr.Close()
	if err != nil {
		return rep, err
	}
	if idx, err := CheckStoredHashes(ctx, l.store); err != nil {
		e := &VerifyError{Index: idx, Message: err.Error()}
		rep.OK, rep.Failure = false, e.Message
		if idx >= 0 {
			rep.FirstBadIndex = &idx
		}
		return rep, e
	}
	return rep, nil
}
