package goaml

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden"
)

func TestTransliterate(t *testing.T) {
	for in, want := range map[string]string{
		"Müller":               "Muller",
		"Łukasz":               "Lukasz",
		"Ngũgĩ":                "Ngugi",
		"José":                 "Jose",
		"Zoë":                  "Zoe",
		"Straße":               "Strasse",
		"Søren Kierkegård":     "Soren Kierkegard",
		"Đorđević":             "Dordevic",
		"Þórunn":               "Thorunn",
		"O’Brien":              "O'Brien",
		"Jean‐Luc  Picard":     "Jean-Luc Picard",
		"Çelik Ağaoğlu":        "Celik Agaoglu",
		"Nguyễn Thị Minh":      "Nguyen Thi Minh",
		"Жанна":                "Zhanna",
		"Щукин":                "Shchukin",
		"ЮЛИЯ ЩЕРБАКОВА":       "IULIIA SHCHERBAKOVA",
		"Олександр Ґонта":      "Oleksandr Gonta",
		"Фёдор Достоевский":    "Fedor Dostoevskii",
		"Mary-Anne St. John":   "Mary-Anne St. John",
		"Müller & Söhne, GmbH": "Muller and Sohne GmbH",
	} {
		got, err := Transliterate("name", in)
		if err != nil || got != want {
			t.Errorf("Transliterate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestTransliterateRefuses(t *testing.T) {
	for _, in := range []string{"محمد", "王伟", "Αλέξανδρος", "דוד", "Ann (Jr)", "A/B Ltd", "“Quoted”"} {
		_, err := Transliterate("first_name", in)
		var we *warden.Error
		if !errors.As(err, &we) || we.Code != warden.EINVALID || we.Field != "first_name" {
			t.Errorf("Transliterate(%q) err = %v, want EINVALID on first_name", in, err)
		}
	}
}
