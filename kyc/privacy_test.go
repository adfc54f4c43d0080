package kyc_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/store/sqlstore"
)

var hmacHex = regexp.MustCompile(`hmac-sha256:[0-9a-f]{64}`)

// The audit log records personal data only as keyed hashes under the
// customer's salt, which a holder of the salt can check.
func TestAuditHoldsPersonalDataOnlyAsKeyedHashes(t *testing.T) {
	s, rec := newService(t)
	db := s.Store.(*sqlstore.DB)
	s.Documents = db
	ctx := context.Background()
	if _, err := s.Put(ctx, "cust-1", person()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitDocument(ctx, "cust-1", kyc.DocumentInput{Kind: kyc.DocNationalID, Number: "12345678"}); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(rec.records)
	if err != nil {
		t.Fatal(err)
	}
	// The hashes themselves are left out of the search: a random salt makes
	// their hex contain "5678" now and then.
	all := hmacHex.ReplaceAllString(string(raw), "hmac-sha256:…")
	for _, secret := range []string{"Otieno", "Amina", "1990-05-01", "amina@example.com", "+254712345678", "Moi Avenue", "12345678", "5678"} {
		if strings.Contains(all, secret) {
			t.Errorf("audit records hold %q in clear: %s", secret, all)
		}
	}
	salt, err := db.CustomerSalt(ctx, "cust-1")
	if err != nil || len(salt) != 32 {
		t.Fatalf("salt %x %v", salt, err)
	}
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("surname\x00Otieno"))
	want := "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
	data := rec.records[0].Change.(map[string]any)["data"].(map[string]any)
	if data["surname"] != want || data["type"] != "individual" || data["country"] != "KE" {
		t.Fatalf("recorded data %v, want surname %s", data, want)
	}
	// Another customer's salt differs, so equal values do not link records.
	other, _ := db.CustomerSalt(ctx, "cust-2")
	if hex.EncodeToString(other) == hex.EncodeToString(salt) {
		t.Fatal("salts repeat")
	}
}
