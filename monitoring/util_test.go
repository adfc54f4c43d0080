package monitoring_test

import (
	"errors"
	"strings"

	"github.com/wardenhq/warden"
)

func asError(err error, target **warden.Error) bool { return errors.As(err, target) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
