package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
)

// Checks reported by Redis.
const (
	CheckRedisTLS  = "redis.tls"
	CheckRedisAuth = "redis.auth"
)

// redisPing sends PING and returns the first reply line.
func redisPing(conn net.Conn) (string, error) {
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return "", fmt.Errorf("send PING: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read PING reply: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// authFinding judges the reply to an unauthenticated PING.
func authFinding(reply string) Finding {
	switch {
	case reply == "+PONG":
		return finding(CheckRedisAuth, Fail, "answered PING without a password")
	case strings.HasPrefix(reply, "-NOAUTH"):
		return finding(CheckRedisAuth, Pass, "refused PING without a password (%s)", reply)
	case strings.HasPrefix(reply, "-"):
		return finding(CheckRedisAuth, Warn, "unexpected reply to an unauthenticated PING: %s", reply)
	}
	return finding(CheckRedisAuth, Error, "not a Redis reply: %q", reply)
}

// Redis speaks plaintext first: a plaintext Redis answers PING at once,
// while a TLS port rejects the non-handshake bytes and closes at once. (A
// ClientHello sent to a plaintext Redis would instead wait for a newline
// until the timeout.) Then it checks whether the server answers commands
// without a password.
func Redis(ctx context.Context, addr string, opts TLSOptions) []Finding {
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, CheckRedisTLS, CheckRedisAuth)
	}
	reply, perr := redisPing(conn)
	conn.Close()
	if perr == nil {
		if af := authFinding(reply); af.Status != Error {
			return []Finding{finding(CheckRedisTLS, Fail, "plaintext Redis protocol, no TLS"), af}
		}
	}
	if ctx.Err() != nil || isTimeout(perr) {
		return errorAll(perr, CheckRedisTLS, CheckRedisAuth)
	}
	st, tf := AnalyzeTLS(ctx, Direct(addr), opts)
	if st == nil {
		return append(tf, errorAll(fmt.Errorf("neither plaintext Redis (%v) nor TLS", orReply(perr, reply)), CheckRedisTLS, CheckRedisAuth)...)
	}
	out := append([]Finding{finding(CheckRedisTLS, Pass, "serves TLS (%s)", st)}, tf...)
	raw, err := dial(ctx, addr)
	if err != nil {
		return append(out, errorAll(err, CheckRedisAuth)...)
	}
	defer raw.Close()
	reply, err = redisPing(tls.Client(raw, baseConfig(opts)))
	if err != nil {
		return append(out, errorAll(err, CheckRedisAuth)...)
	}
	return append(out, authFinding(reply))
}

func orReply(err error, reply string) any {
	if err != nil {
		return err
	}
	return fmt.Sprintf("reply %q", reply)
}
