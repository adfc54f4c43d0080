package sqlstore

import (
	"fmt"
	"strings"
)

// filter builds a WHERE clause with numbered placeholders for list queries.
type filter struct {
	conds []string
	args  []any
}

// add appends a condition whose one placeholder is written as $%d.
func (f *filter) add(cond string, v any) {
	f.args = append(f.args, v)
	f.conds = append(f.conds, fmt.Sprintf(cond, len(f.args)))
}

// addIf adds the condition when set is true.
func (f *filter) addIf(set bool, cond string, v any) {
	if set {
		f.add(cond, v)
	}
}

// query appends the WHERE clause, ORDER BY order and a LIMIT to base.
func (f *filter) query(base, order string, limit int) (string, []any) {
	q := base
	if len(f.conds) > 0 {
		q += " WHERE " + strings.Join(f.conds, " AND ")
	}
	args := append(f.args, limit)
	return q + fmt.Sprintf(" ORDER BY %s LIMIT $%d", order, len(args)), args
}
