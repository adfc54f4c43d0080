package screening

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// SnapshotStore keeps list snapshots and which one of each source is in
// service. Saving a snapshot activates it in the same transaction.
type SnapshotStore interface {
	// SaveListSnapshot stores an encoded snapshot and makes it the active one
	// for its source.
	SaveListSnapshot(ctx context.Context, v ListVersion, loadedBy string, encoded []byte) error
	// ActiveListVersions lists the active snapshot of each source (cheap:
	// replicas poll it to notice a new load).
	ActiveListVersions(ctx context.Context) ([]ListVersion, error)
	// ActiveListSnapshot returns the encoded active snapshot of a source, or
	// ENOTFOUND.
	ActiveListSnapshot(ctx context.Context, source string) ([]byte, error)
}

// Clearance records that an analyst found a hit for a subject to be a false
// positive. It holds while the list entry is unchanged (EntryHash).
type Clearance struct {
	Subject   string    `json:"subject"`
	List      string    `json:"list"`
	EntryID   string    `json:"entry_id"`
	EntryHash string    `json:"entry_hash"`
	Reason    string    `json:"reason"`
	ClearedBy string    `json:"cleared_by"`
	ClearedAt time.Time `json:"cleared_at"`
}

// ClearanceStore keeps clearances.
type ClearanceStore interface {
	// PutClearance stores c, replacing an earlier clearance of the same
	// subject and entry.
	PutClearance(ctx context.Context, c Clearance) error
	// Clearances returns the subject's clearances.
	Clearances(ctx context.Context, subject string) ([]Clearance, error)
}

// EncodeSnapshot is the stored form of a snapshot: gzip-compressed JSON of
// the Snapshot type (docs/lists.md).
func EncodeSnapshot(s *Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		return nil, fmt.Errorf("encode snapshot %s: %w", s.Source, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode snapshot %s: %w", s.Source, err)
	}
	return buf.Bytes(), nil
}

// DecodeSnapshot reads a stored snapshot.
func DecodeSnapshot(b []byte) (*Snapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	var s Snapshot
	if err := json.NewDecoder(io.LimitReader(zr, 1<<30)).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	return &s, nil
}

// VersionOf describes a snapshot.
func VersionOf(s *Snapshot) ListVersion {
	return ListVersion{Source: s.Source, Version: s.Version, ContentSHA256: s.ContentSHA256, LoadedAt: s.LoadedAt, Entities: len(s.Entities)}
}
