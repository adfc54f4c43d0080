package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden"
)

// Duration is a time.Duration written as "30s", "12h" or "90d".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := warden.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(warden.FormatDuration(time.Duration(d))), nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Rate is a count per interval, written "100/m", "20000/s" or "5/h"; the
// bucket holds Count tokens, so a client may burst up to Count at once.
type Rate struct {
	Count int
	Per   time.Duration
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rate) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || n <= 0 {
		return fmt.Errorf("invalid rate %q: want COUNT/UNIT such as 100/m", s)
	}
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[strings.TrimSpace(unit)]
	if per == 0 {
		return fmt.Errorf("invalid rate %q: unit must be s, m or h", s)
	}
	*r = Rate{Count: n, Per: per}
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (r Rate) MarshalText() ([]byte, error) {
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[r.Per]
	if unit == "" {
		return []byte(fmt.Sprintf("%d/%s", r.Count, r.Per)), nil
	}
	return []byte(fmt.Sprintf("%d/%s", r.Count, unit)), nil
}

// PerSecond returns the refill rate in tokens per second.
func (r Rate) PerSecond() float64 { return float64(r.Count) / r.Per.Seconds() }
