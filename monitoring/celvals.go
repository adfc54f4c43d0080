package monitoring

import (
	"reflect"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
)

// fieldMap is a CEL map whose fields are computed when a rule reads them:
// a decision evaluates a dozen rules that each read a few fields, so
// building the whole map (and converting every value) for each transaction
// cost more than the rules. Anything beyond field reads (iteration, size,
// equality) falls back to the full map, built on demand.
type fieldMap struct {
	find func(key string) (ref.Val, bool)
	full func() map[string]any
}

var _ traits.Mapper = fieldMap{}

func (m fieldMap) whole() traits.Mapper {
	return types.NewStringInterfaceMap(types.DefaultTypeAdapter, m.full())
}

func (m fieldMap) Find(key ref.Val) (ref.Val, bool) {
	k, ok := key.(types.String)
	if !ok {
		return nil, false
	}
	return m.find(string(k))
}

func (m fieldMap) Get(key ref.Val) ref.Val {
	if v, ok := m.Find(key); ok {
		return v
	}
	return types.NewErr("no such key: %v", key)
}

func (m fieldMap) Contains(key ref.Val) ref.Val {
	_, ok := m.Find(key)
	return types.Bool(ok)
}

func (m fieldMap) ConvertToNative(t reflect.Type) (any, error) { return m.whole().ConvertToNative(t) }
func (m fieldMap) ConvertToType(t ref.Type) ref.Val            { return m.whole().ConvertToType(t) }
func (m fieldMap) Equal(o ref.Val) ref.Val                     { return m.whole().Equal(o) }
func (m fieldMap) Type() ref.Type                              { return types.MapType }
func (m fieldMap) Value() any                                  { return m.full() }
func (m fieldMap) Iterator() traits.Iterator                   { return m.whole().Iterator() }
func (m fieldMap) Size() ref.Val                               { return m.whole().Size() }

// txMap is the transaction as rules see it (txValue is the same as a map).
func txMap(t *Transaction, cps *CounterpartyScreening) fieldMap {
	return fieldMap{full: func() map[string]any { return txValue(t, cps) }, find: func(k string) (ref.Val, bool) {
		switch k {
		case "id":
			return types.String(t.ID), true
		case "time":
			return types.Timestamp{Time: t.Time}, true
		case "customer_id":
			return types.String(t.CustomerID), true
		case "account_id":
			return types.String(t.AccountID), true
		case "amount":
			return types.Int(t.Amount), true
		case "currency":
			return types.String(t.Currency), true
		case "direction":
			return types.String(t.Direction), true
		case "channel":
			return types.String(t.Channel), true
		case "branch":
			return types.String(t.Branch), true
		case "agent":
			return types.String(t.Agent), true
		case "balance_after":
			if t.BalanceAfter == nil {
				return nil, false
			}
			return types.Int(*t.BalanceAfter), true
		case "counterparty":
			return counterpartyMap(t, cps), true
		case "metadata":
			if t.Metadata == nil {
				return types.DefaultTypeAdapter.NativeToValue(map[string]string{}), true
			}
			return types.DefaultTypeAdapter.NativeToValue(t.Metadata), true
		}
		return nil, false
	}}
}

// counterpartyMap is tx.counterparty: two rules of the built-in pack read
// it on every transaction, so it is lazy too.
func counterpartyMap(t *Transaction, cps *CounterpartyScreening) fieldMap {
	full := func() map[string]any { return txValue(t, cps)["counterparty"].(map[string]any) }
	return fieldMap{full: full, find: func(k string) (ref.Val, bool) {
		switch k {
		case "name":
			return types.String(t.Counterparty.Name), true
		case "account":
			return types.String(t.Counterparty.Account), true
		case "institution":
			return types.String(t.Counterparty.Institution), true
		case "country":
			return types.String(t.Counterparty.Country), true
		case "key":
			return types.String(t.CounterpartyKey()), true
		case "screening":
			return fieldMap{full: func() map[string]any { return full()["screening"].(map[string]any) }, find: func(k string) (ref.Val, bool) {
				hit := cps != nil && cps.Hit
				switch k {
				case "hit":
					return types.Bool(hit), true
				case "score":
					if !hit {
						return types.Double(0), true
					}
					return types.Double(cps.Score), true
				case "list":
					if !hit {
						return types.String(""), true
					}
					return types.String(cps.List), true
				case "entry_id":
					if !hit {
						return types.String(""), true
					}
					return types.String(cps.EntryID), true
				}
				return nil, false
			}}, true
		}
		return nil, false
	}}
}

// customerMap is the customer as rules see it, limits in currency cur.
func customerMap(p *CustomerProfile, cur string) fieldMap {
	return fieldMap{full: func() map[string]any { return p.celValue(cur) }, find: func(k string) (ref.Val, bool) {
		switch k {
		case "id":
			return types.String(p.ID), true
		case "known":
			return types.Bool(p.Known), true
		case "type":
			return types.String(p.Type), true
		case "country":
			return types.String(p.Country), true
		case "nationality":
			return types.String(p.Nationality), true
		case "business_type":
			return types.String(p.BusinessType), true
		case "tier":
			return types.String(p.Tier), true
		case "risk":
			return types.String(p.Risk), true
		case "pep":
			return types.Bool(p.PEP), true
		case "sanctions_hit":
			return types.Bool(p.SanctionsHit), true
		case "hits":
			return types.Int(p.Hits), true
		case "blocked_by_ownership":
			return types.Bool(p.BlockedByOwnership), true
		case "limits":
			l := p.LimitsIn(cur)
			return fieldMap{full: func() map[string]any { return p.celValue(cur)["limits"].(map[string]any) }, find: func(k string) (ref.Val, bool) {
				switch k {
				case "per_transaction":
					return types.Int(l.PerTransaction), true
				case "per_day":
					return types.Int(l.PerDay), true
				case "per_month":
					return types.Int(l.PerMonth), true
				case "max_balance":
					return types.Int(l.MaxBalance), true
				}
				return nil, false
			}}, true
		case "products", "channels":
			return types.DefaultTypeAdapter.NativeToValue(p.celValue(cur)[k]), true
		}
		return nil, false
	}}
}
