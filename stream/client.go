package stream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/wardenhq/warden/config"
)

// checkConfig repeats the checks of config.Validate that this package
// relies on, so that a caller who skipped validation gets an error rather
// than a consumer on the wrong topic or a password sent in clear.
func checkConfig(c config.Kafka) error {
	switch {
	case len(c.Brokers) == 0:
		return errors.New("stream: kafka.brokers is empty")
	case c.InputTopic == "" || c.OutputTopic == "" || c.Group == "":
		return errors.New("stream: kafka.input_topic, kafka.output_topic and kafka.group are required")
	case c.InputTopic == c.OutputTopic:
		// Decisions would be consumed as transactions: every one an error
		// record, which is consumed again, forever.
		return errors.New("stream: kafka.output_topic must differ from kafka.input_topic")
	case c.SASLMechanism == "PLAIN" && !c.TLS:
		return errors.New("stream: SASL PLAIN sends the password in clear: set kafka.tls")
	}
	return nil
}

// connOpts returns the client options for TLS and SASL.
func connOpts(c config.Kafka) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if c.TLS {
		tc, err := tlsConfig(c.CAFile)
		if err != nil {
			return nil, err
		}
		// franz-go sets ServerName per broker from its host when empty.
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if c.SASLMechanism != "" {
		m, err := saslMechanism(c)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// tlsConfig trusts the system roots plus caFile, if given.
func tlsConfig(caFile string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("stream: kafka.ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("stream: kafka.ca_file %s holds no PEM certificate", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

// saslMechanism reads the password from its file once, at start: a
// rotated password takes effect on restart, which is also when a broker
// would force re-authentication of existing connections anyway. The
// password is never logged nor put in an error.
func saslMechanism(c config.Kafka) (sasl.Mechanism, error) {
	if c.Username == "" || c.PasswordFile == "" {
		return nil, errors.New("stream: SASL needs kafka.username and kafka.password_file")
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("stream: kafka.password_file: %w", err)
	}
	// Files written by editors and secret mounts often end in a newline,
	// which is never part of the password.
	pass := strings.TrimRight(string(b), "\r\n")
	if pass == "" {
		return nil, fmt.Errorf("stream: kafka.password_file %s is empty", c.PasswordFile)
	}
	switch c.SASLMechanism {
	case "PLAIN":
		return plain.Auth{User: c.Username, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: c.Username, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: c.Username, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("stream: kafka.sasl_mechanism %q: want SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN", c.SASLMechanism)
}
