package siem

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Syslog facilities that suit an audit trail. Any of the RFC 5424 facility
// codes 0-23 may be configured.
const (
	FacilityAuthPriv = 10 // security/authorization messages (private)
	FacilityLogAudit = 13 // log audit: the default
	FacilityLocal0   = 16
)

// DefaultSDID is the structured-data ID of the element carrying the entry's
// index and leaf hash. 32473 is the private enterprise number reserved for
// documentation (RFC 5612).
const DefaultSDID = "warden@32473"

// SyslogConfig configures a SyslogSink.
type SyslogConfig struct {
	// Addr is the collector's host:port.
	Addr string
	// TLS, if not nil, wraps the connection in TLS (RFC 5425). MinVersion is
	// raised to TLS 1.2 if lower.
	TLS *tls.Config
	// Facility is the RFC 5424 facility code (1-23; 0, kernel messages, is
	// not for applications); FacilityLogAudit (13) if zero.
	Facility int
	// Hostname is the HOSTNAME field; os.Hostname() by default.
	Hostname string
	// SDID is the structured-data ID; DefaultSDID by default.
	SDID string
	// DialTimeout bounds connecting and the TLS handshake (10s by default);
	// WriteTimeout bounds writing one batch (30s by default).
	DialTimeout, WriteTimeout time.Duration
	// CloseWait is how long the sink watches the connection after writing a
	// batch for the collector closing or resetting it, in which case the
	// batch counts as failed and is sent again (100ms by default; negative
	// for no wait). Syslog over TCP has no acknowledgements: this narrows,
	// but cannot close, the window in which a collector that dies takes
	// records with it that TCP had already accepted.
	CloseWait time.Duration
}

// SyslogSink sends RFC 5424 messages over TCP with octet-counting framing
// (RFC 6587 section 3.4.1, as RFC 5425 specifies for TLS), reconnecting
// after any failure.
type SyslogSink struct {
	cfg SyslogConfig

	mu   sync.Mutex
	conn net.Conn
}

// NewSyslogSink returns a sink for cfg. It connects on the first Write.
func NewSyslogSink(cfg SyslogConfig) (*SyslogSink, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("siem: syslog address %q: %w", cfg.Addr, err)
	}
	if cfg.Facility == 0 {
		cfg.Facility = FacilityLogAudit
	}
	if cfg.Facility < 1 || cfg.Facility > 23 {
		return nil, fmt.Errorf("siem: syslog facility %d is not in 1-23", cfg.Facility)
	}
	if cfg.Hostname == "" {
		cfg.Hostname, _ = os.Hostname()
	}
	cfg.Hostname = headerField(cfg.Hostname, 255)
	if cfg.SDID == "" {
		cfg.SDID = DefaultSDID
	}
	if !validSDName(cfg.SDID) {
		return nil, fmt.Errorf("siem: structured-data ID %q is not a valid SD-NAME", cfg.SDID)
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.CloseWait == 0 {
		cfg.CloseWait = 100 * time.Millisecond
	}
	if cfg.TLS != nil {
		cfg.TLS = cfg.TLS.Clone()
		if cfg.TLS.MinVersion < tls.VersionTLS12 {
			cfg.TLS.MinVersion = tls.VersionTLS12
		}
		if cfg.TLS.ServerName == "" {
			host, _, _ := net.SplitHostPort(cfg.Addr)
			cfg.TLS.ServerName = host
		}
	}
	return &SyslogSink{cfg: cfg}, nil
}

// ParseFacility accepts a facility name (user, daemon, auth, authpriv,
// audit, local0 ... local7 and the other RFC 5424 keywords) or code (1-23).
func ParseFacility(s string) (int, error) {
	names := []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
		"ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
	for code, n := range names {
		if s == n && code > 0 {
			return code, nil
		}
	}
	if code, err := strconv.Atoi(s); err == nil && code >= 1 && code <= 23 {
		return code, nil
	}
	return 0, fmt.Errorf("syslog facility %q: want a name such as audit, authpriv or local0, or a code from 1 to 23", s)
}

// errPeerClosed reports a connection the collector closed.
var errPeerClosed = errors.New("the collector closed the connection")

// Write implements Sink: it checks that the connection is still open
// (reconnecting if not), writes the batch, then watches for CloseWait for the
// collector dropping the connection before reporting success.
func (s *SyslogSink) Write(ctx context.Context, batch []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		// A collector that closed an idle connection is noticed here, before
		// anything is written into the void.
		if err := probe(s.conn, time.Millisecond); err != nil {
			s.dropLocked()
		}
	}
	if s.conn == nil {
		conn, err := s.dial(ctx)
		if err != nil {
			return err
		}
		s.conn = conn
	}
	var buf []byte
	for _, r := range batch {
		buf = s.appendFrame(buf, r)
	}
	conn := s.conn
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	if _, err := conn.Write(buf); err != nil {
		s.dropLocked()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("siem: send to %s: %w", s.cfg.Addr, err)
	}
	_ = conn.SetWriteDeadline(time.Time{})
	if s.cfg.CloseWait > 0 {
		if err := probe(conn, s.cfg.CloseWait); err != nil {
			s.dropLocked()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("siem: send to %s: %w", s.cfg.Addr, err)
		}
	}
	return nil
}

func (s *SyslogSink) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: s.cfg.DialTimeout, KeepAlive: 30 * time.Second}
	var conn net.Conn
	var err error
	if s.cfg.TLS != nil {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.cfg.TLS}).DialContext(ctx, "tcp", s.cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.cfg.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("siem: connect to syslog collector %s: %w", s.cfg.Addr, err)
	}
	return conn, nil
}

func (s *SyslogSink) dropLocked() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}

// Close implements Sink.
func (s *SyslogSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked()
	return nil
}

// probe reads from conn until wait passes. A collector sends nothing under
// RFC 5425, so anything read is discarded; end of stream or an error means
// the connection is gone.
func probe(conn net.Conn, wait time.Duration) error {
	if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return err
	}
	defer conn.SetReadDeadline(time.Time{})
	var buf [512]byte
	for {
		_, err := conn.Read(buf[:])
		switch {
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil
		case errors.Is(err, io.EOF):
			return errPeerClosed
		default:
			return err
		}
	}
}

// appendFrame appends one octet-counted RFC 5424 message:
//
//	LEN SP <PRI>1 TIMESTAMP HOSTNAME warden - MSGID [SDID index="I" leafHash="H"] MSG
func (s *SyslogSink) appendFrame(dst []byte, r Record) []byte {
	var m []byte
	m = append(m, '<')
	m = strconv.AppendInt(m, int64(s.cfg.Facility*8+syslogSeverity(r.Severity)), 10)
	m = append(m, ">1 "...)
	m = r.Time.UTC().AppendFormat(m, "2006-01-02T15:04:05.000000Z07:00")
	m = append(m, ' ')
	m = append(m, s.cfg.Hostname...)
	m = append(m, " warden - "...)
	m = append(m, headerField(r.Action, 32)...)
	m = append(m, " ["...)
	m = append(m, s.cfg.SDID...)
	m = append(m, ` index="`...)
	m = append(m, sdEscape(strconv.FormatInt(r.Index, 10))...)
	m = append(m, `" leafHash="`...)
	m = append(m, sdEscape(r.LeafHash.String())...)
	m = append(m, `"] `...)
	m = append(m, r.Message...)
	dst = strconv.AppendInt(dst, int64(len(m)), 10)
	dst = append(dst, ' ')
	return append(dst, m...)
}

// headerField makes s a valid RFC 5424 header field: printable US-ASCII
// without spaces, at most max characters, "-" if empty.
func headerField(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		if c := s[i]; c >= 33 && c <= 126 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// sdEscape escapes an SD-PARAM value: '"', '\' and ']' take a backslash.
func sdEscape(s string) string {
	if !strings.ContainsAny(s, "\"\\]") {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if c == '"' || c == '\\' || c == ']' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// validSDName reports whether s is an RFC 5424 SD-NAME (1-32 printable
// US-ASCII characters other than '=', ' ', ']' and '"'); an SD-ID may add
// "@" and an enterprise number.
func validSDName(s string) bool {
	name, pen, hasPen := strings.Cut(s, "@")
	if hasPen {
		if pen == "" {
			return false
		}
		for _, c := range pen {
			if (c < '0' || c > '9') && c != '.' {
				return false
			}
		}
	}
	if name == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 33 || c > 126 || c == '=' || c == ']' || c == '"' {
			return false
		}
	}
	return true
}
