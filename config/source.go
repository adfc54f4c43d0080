package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The YAML file and the environment are applied by one walker over Config, so
// that every error names the field by its dotted path, the same in both.

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func applyYAML(c *Config, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty file
	}
	return walkYAML(reflect.ValueOf(c).Elem(), doc.Content[0], "")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldByTag(v reflect.Value, tag string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == tag {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func isTextValue(v reflect.Value) bool { return v.Addr().Type().Implements(textUnmarshaler) }

func walkYAML(v reflect.Value, n *yaml.Node, path string) error {
	field := path
	if field == "" {
		field = "(top level)"
	}
	switch {
	case v.Kind() == reflect.Struct && !isTextValue(v):
		if n.Kind != yaml.MappingNode {
			return fieldErr(field, "line %d: want a mapping of settings", n.Line)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			f, ok := fieldByTag(v, key)
			if !ok {
				return fieldErr(join(path, key), "line %d: unknown setting", n.Content[i].Line)
			}
			if err := walkYAML(f, val, join(path, key)); err != nil {
				return err
			}
		}
		return nil
	case v.Kind() == reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fieldErr(field, "line %d: want a list", n.Line)
		}
		out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fieldErr(fmt.Sprintf("%s[%d]", path, i), "line %d: want a plain value", item.Line)
			}
			if err := setScalar(out.Index(i), item.Value, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case v.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return fieldErr(field, "line %d: want a mapping", n.Line)
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				return fieldErr(join(path, key), "line %d: want a plain value", val.Line)
			}
			m.SetMapIndex(reflect.ValueOf(key), reflect.ValueOf(val.Value))
		}
		v.Set(m)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fieldErr(field, "line %d: want a plain value", n.Line)
	}
	return setScalar(v, n.Value, path)
}

func setScalar(v reflect.Value, s, path string) error {
	if isTextValue(v) {
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fieldErr(path, "%v", err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fieldErr(path, "%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fieldErr(path, "%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fieldErr(path, "unsupported setting type %s", v.Type())
	}
	return nil
}

// EnvName returns the environment variable that overrides a dotted field.
func EnvName(path string) string {
	return "WARDEN_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

func applyEnv(c *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "WARDEN_") {
			env[k] = v
		}
	}
	return walkEnv(reflect.ValueOf(c).Elem(), "", env)
}

func walkEnv(v reflect.Value, path string, env map[string]string) error {
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		f, p := v.Field(i), join(path, name)
		if f.Kind() == reflect.Struct && !isTextValue(f) {
			if err := walkEnv(f, p, env); err != nil {
				return err
			}
			continue
		}
		s, ok := env[EnvName(p)]
		if !ok {
			continue
		}
		if err := setEnv(f, s, p); err != nil {
			return fmt.Errorf("%s: %w", EnvName(p), err)
		}
	}
	return nil
}

func setEnv(v reflect.Value, s, path string) error {
	switch v.Kind() {
	case reflect.Slice:
		var items []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items))
		return nil
	case reflect.Map:
		m := map[string]string{}
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			k, val, ok := strings.Cut(item, "=")
			if !ok {
				return fieldErr(path, "%q is not KEY=VALUE", item)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		v.Set(reflect.ValueOf(m))
		return nil
	}
	return setScalar(v, s, path)
}
