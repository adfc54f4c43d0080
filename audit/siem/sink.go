package siem

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// Sink receives records in index order.
type Sink interface {
	// Write delivers a batch in order. It returns nil only once the sink has
	// accepted every record (written and synced, or sent); on error the
	// exporter treats the whole batch as undelivered and writes it again.
	Write(ctx context.Context, batch []Record) error
	// Close releases the sink's file or connection.
	Close() error
}

// FileSink appends one line per record to a file (synced after every batch)
// or to a writer such as standard output.
type FileSink struct {
	mu   sync.Mutex
	path string
	f    *os.File
	w    io.Writer
}

// NewFileSink appends to the file at path, creating it (mode 0600) if needed.
// If the file is renamed or removed (log rotation), the next batch goes to a
// new file at path.
func NewFileSink(path string) (*FileSink, error) {
	s := &FileSink{path: path}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewWriterSink writes lines to w (standard output, say); it does not close
// w. A batch counts as delivered once w.Write returns.
func NewWriterSink(w io.Writer) *FileSink { return &FileSink{w: w} }

func (s *FileSink) open() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("siem: open %s: %w", s.path, err)
	}
	s.f, s.w = f, f
	return nil
}

// reopenIfRotated reopens the path if the open file is no longer there.
func (s *FileSink) reopenIfRotated() error {
	if s.path == "" {
		return nil
	}
	if s.f != nil {
		cur, err1 := s.f.Stat()
		onDisk, err2 := os.Stat(s.path)
		if err1 == nil && err2 == nil && os.SameFile(cur, onDisk) {
			return nil
		}
		s.f.Close()
		s.f, s.w = nil, nil
	}
	return s.open()
}

// Write implements Sink.
func (s *FileSink) Write(ctx context.Context, batch []Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reopenIfRotated(); err != nil {
		return err
	}
	var buf []byte
	for _, r := range batch {
		buf = append(buf, r.Message...)
		buf = append(buf, '\n')
	}
	var before int64 = -1
	if s.path != "" {
		if st, err := s.f.Stat(); err == nil {
			before = st.Size()
		}
	}
	if _, err := s.w.Write(buf); err != nil {
		// Cut a torn batch off so that the retry does not follow half a line.
		if before >= 0 {
			_ = s.f.Truncate(before)
		}
		return fmt.Errorf("siem: write %s: %w", s.name(), err)
	}
	if s.f != nil {
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("siem: sync %s: %w", s.name(), err)
		}
	}
	return nil
}

func (s *FileSink) name() string {
	if s.path != "" {
		return s.path
	}
	return "output"
}

// Close implements Sink.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f, s.w = nil, nil
	return err
}
