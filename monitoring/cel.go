package monitoring

import (
	"fmt"
	"reflect"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// windowType is the CEL type of by_customer, by_account, by_counterparty
// and by_agent.
var windowType = cel.OpaqueType("warden.Window")

// windowVal is a view as a CEL value.
type windowVal struct{ v *view }

func (w windowVal) ConvertToNative(reflect.Type) (any, error) {
	return nil, fmt.Errorf("a window has no native form")
}
func (w windowVal) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return windowType
	}
	return types.NewErr("a window converts to nothing")
}
func (w windowVal) Equal(o ref.Val) ref.Val { return types.Bool(false) }
func (w windowVal) Type() ref.Type          { return windowType }
func (w windowVal) Value() any              { return w.v }

// from turns a window argument (a duration back from the transaction's time,
// or a timestamp) into a start in Unix microseconds.
func (v *view) from(arg ref.Val) (int64, bool) {
	switch a := arg.(type) {
	case types.Duration:
		return v.now - a.Duration.Microseconds(), true
	case types.Timestamp:
		return a.Time.UnixMicro(), true
	}
	return 0, false
}

// windowEnv declares the variables and functions rules use; see
// docs/monitoring.md for the reference.
func windowEnv() (*cel.Env, error) {
	var opts []cel.EnvOption
	for _, name := range []string{"tx", "customer", "params"} {
		opts = append(opts, cel.Variable(name, cel.MapType(cel.StringType, cel.DynType)))
	}
	for _, name := range []string{"by_customer", "by_account", "by_counterparty", "by_agent"} {
		opts = append(opts, cel.Variable(name, windowType))
	}
	opts = append(opts, cel.Variable("today", cel.TimestampType), cel.Variable("this_month", cel.TimestampType))

	intFn := func(name string, f func(v *view, from int64) int64) cel.EnvOption {
		bind := cel.BinaryBinding(func(lhs, rhs ref.Val) ref.Val {
			w, ok := lhs.(windowVal)
			if !ok {
				return types.NewErr("%s: not a window", name)
			}
			from, ok := w.v.from(rhs)
			if !ok {
				return types.NewErr("%s: takes a duration or a timestamp", name)
			}
			return types.Int(f(w.v, from))
		})
		return cel.Function(name,
			cel.MemberOverload("window_"+name+"_duration", []*cel.Type{windowType, cel.DurationType}, cel.IntType, bind),
			cel.MemberOverload("window_"+name+"_timestamp", []*cel.Type{windowType, cel.TimestampType}, cel.IntType, bind))
	}
	opts = append(opts,
		intFn("sum", func(v *view, f int64) int64 { return v.aggregate(f).sum }),
		intFn("sum_in", func(v *view, f int64) int64 { return v.aggregate(f).sumIn }),
		intFn("sum_out", func(v *view, f int64) int64 { return v.aggregate(f).sumOut }),
		intFn("count", func(v *view, f int64) int64 { return v.aggregate(f).count }),
		intFn("count_in", func(v *view, f int64) int64 { return v.aggregate(f).countIn }),
		intFn("count_out", func(v *view, f int64) int64 { return v.aggregate(f).countOut }),
		intFn("max", func(v *view, f int64) int64 { return v.aggregate(f).max }),
		intFn("avg", func(v *view, f int64) int64 {
			a := v.aggregate(f)
			if a.sameCur == 0 {
				return 0
			}
			return a.sum / a.sameCur
		}),
		intFn("distinct_counterparties", func(v *view, f int64) int64 { return v.distinct(f) }),
		intFn("distinct_customers", func(v *view, f int64) int64 { return v.distinct(f) }),
		cel.Function("last_at", cel.MemberOverload("window_last_at", []*cel.Type{windowType}, cel.TimestampType,
			cel.UnaryBinding(func(lhs ref.Val) ref.Val {
				w := lhs.(windowVal)
				return types.Timestamp{Time: time.UnixMicro(w.v.lastAt).UTC()}
			}))),
		cel.Function("has_history", cel.MemberOverload("window_has_history", []*cel.Type{windowType}, cel.BoolType,
			cel.UnaryBinding(func(lhs ref.Val) ref.Val { return types.Bool(lhs.(windowVal).v.lastAt > 0) }))),
		cel.Function("txns", txnsOverloads()...),
	)
	return cel.NewEnv(opts...)
}

func txnsOverloads() []cel.FunctionOpt {
	bind := cel.BinaryBinding(func(lhs, rhs ref.Val) ref.Val {
		w, ok := lhs.(windowVal)
		if !ok {
			return types.NewErr("txns: not a window")
		}
		from, ok := w.v.from(rhs)
		if !ok {
			return types.NewErr("txns: takes a duration or a timestamp")
		}
		ps := w.v.since(from)
		out := make([]ref.Val, len(ps))
		for i, p := range ps {
			dir := DirectionIn
			if p.dir == 1 {
				dir = DirectionOut
			}
			out[i] = types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{
				"time": time.UnixMicro(p.at).UTC(), "amount": p.amount, "currency": w.v.ws.currencyName(p.cur), "direction": dir, "channel": Channels[p.ch]})
		}
		return types.NewRefValList(types.DefaultTypeAdapter, out)
	})
	listType := cel.ListType(cel.MapType(cel.StringType, cel.DynType))
	return []cel.FunctionOpt{
		cel.MemberOverload("window_txns_duration", []*cel.Type{windowType, cel.DurationType}, listType, bind),
		cel.MemberOverload("window_txns_timestamp", []*cel.Type{windowType, cel.TimestampType}, listType, bind),
	}
}

// activation resolves the variables of one evaluation without building a
// map per transaction.
type activation struct {
	tx, customer                 any
	params                       any
	byCust, byAcct, byCp, byAgnt windowVal
	today, month                 types.Timestamp
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "tx":
		return a.tx, true
	case "customer":
		return a.customer, true
	case "params":
		return a.params, true
	case "by_customer":
		return a.byCust, true
	case "by_account":
		return a.byAcct, true
	case "by_counterparty":
		return a.byCp, true
	case "by_agent":
		return a.byAgnt, true
	case "today":
		return a.today, true
	case "this_month":
		return a.month, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }
