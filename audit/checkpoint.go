package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
)

// CheckpointBody is the signed text of a checkpoint (the C2SP tlog-checkpoint
// layout): origin, tree size and base64 root hash, one per line.
func CheckpointBody(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpointBody reads the text of a checkpoint.
func ParseCheckpointBody(text string) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[3] != "" {
		return "", 0, root, fmt.Errorf("checkpoint text must be exactly three lines")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return "", 0, root, fmt.Errorf("checkpoint size %q is not a number", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != len(root) {
		return "", 0, root, fmt.Errorf("checkpoint root hash is not 32 bytes of base64")
	}
	copy(root[:], b)
	// One text per tree head: a body that does not round-trip (leading
	// zeros, non-canonical base64) is refused.
	if CheckpointBody(lines[0], size, root) != text {
		return "", 0, root, fmt.Errorf("checkpoint text is not in canonical form")
	}
	return lines[0], size, root, nil
}

// OpenCheckpoint verifies a signed checkpoint against trusted keys and
// returns its size and root.
func OpenCheckpoint(msg []byte, keys note.Verifiers) (origin string, size int64, root tlog.Hash, err error) {
	n, err := note.Open(msg, keys)
	if err != nil {
		return "", 0, root, fmt.Errorf("checkpoint signature: %w", err)
	}
	return ParseCheckpointBody(n.Text)
}

// Checkpoint signs and stores a checkpoint for the current tree if it grew
// since the newest one, and returns the newest checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	size, err := l.store.AuditSize(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	latest, err := l.store.LatestAuditCheckpoint(ctx)
	if err != nil && warden.ErrorCode(err) != warden.ENOTFOUND {
		return Checkpoint{}, err
	}
	if err == nil && latest.Size >= size {
		l.lastSize = latest.Size
		return latest, nil
	}
	if size == 0 {
		return Checkpoint{}, warden.Errorf(warden.ENOTFOUND, "the audit log is empty: nothing to checkpoint")
	}
	root, err := tlog.TreeHash(size, l.HashReader(ctx))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: tree hash at %d: %w", size, err)
	}
	msg, err := signCheckpoint(l, size, root)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{Size: size, Time: l.cfg.Now().UTC(), Note: msg}
	if err := l.store.AddAuditCheckpoint(ctx, cp); err != nil {
		return Checkpoint{}, err
	}
	l.lastSize = size
	return cp, nil
}

// RunCheckpoints relays the outbox and signs a checkpoint every
// CheckpointInterval while the log grows, until ctx ends; then it does both
// a last time. The relay catches up entries whose change committed but
// whose own relay failed or never ran (the process died in between).
func (l *Log) RunCheckpoints(ctx context.Context) {
	t := time.NewTicker(l.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			l.relayAndCheckpoint(sctx)
			cancel()
			return
		case <-t.C:
			l.relayAndCheckpoint(ctx)
		}
	}
}

func (l *Log) relayAndCheckpoint(ctx context.Context) {
	if n, err := l.Relay(ctx); err != nil {
		l.cfg.Logger.Error("audit outbox relay failed; the entries stay in the outbox for the next one", "err", err)
	} else if n > 0 {
		l.cfg.Logger.Info("audit outbox relayed", "entries", n)
	}
	if _, err := l.Checkpoint(ctx); err != nil && warden.ErrorCode(err) != warden.ENOTFOUND {
		l.cfg.Logger.Warn("audit checkpoint failed", "err", err)
	}
}

// PublishKey records the signer's verifier key in the store so that the
// public key list shows every key that ever signed.
func (l *Log) PublishKey(ctx context.Context, vkey string) error {
	return l.store.AddAuditKey(ctx, vkey, l.cfg.Now().UTC())
}

// Keys returns the trusted verifiers.
func (l *Log) Keys() note.Verifiers { return l.keys }

func signCheckpoint(l *Log, size int64, root tlog.Hash) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: CheckpointBody(l.cfg.Origin, size, root)}, l.cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	return msg, nil
}
