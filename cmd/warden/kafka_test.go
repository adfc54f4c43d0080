package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// warden serve with kafka.brokers set consumes transactions from the input
// topic and publishes decisions to the output topic, through the same
// monitoring service as the HTTP API.
func TestServeDecidesFromKafka(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "warden.transactions", "warden.decisions"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	broker := c.ListenAddrs()[0]
	srv := startServer(t, []string{"WARDEN_KAFKA_BROKERS=" + broker}, "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0")

	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics("warden.decisions"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339Nano)
	for i, cp := range []string{"Mama Mboga Stores", "Banco Nacional de Cuba"} {
		v := fmt.Sprintf(`{"id":"k-%d","time":%q,"customer_id":"c1","account_id":"a1","amount":5000,"currency":"KES","direction":"out","channel":"mobile_money","counterparty":{"name":%q}}`, i, now, cp)
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "warden.transactions", Key: []byte("c1"), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for len(got) < 2 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("decisions seen %v: %v\n%s", got, err, srv.stderr)
		}
		fs.EachRecord(func(r *kgo.Record) {
			var out struct {
				TransactionID string `json:"transaction_id"`
				Decision      struct {
					Action string `json:"action"`
				} `json:"decision"`
			}
			if err := json.Unmarshal(r.Value, &out); err != nil {
				t.Errorf("output %s: %v", r.Value, err)
			}
			got[out.TransactionID] = out.Decision.Action
		})
	}
	if got["k-0"] != "allow" || got["k-1"] != "block" {
		t.Fatalf("decisions %v", got)
	}
	// The decisions are the service's own: visible over HTTP too.
	if code, body := httpGet(t, srv.url("/v1/transactions/k-1"), bootstrapKey(t, srv.stdout.String())); code != 200 {
		t.Fatalf("GET /v1/transactions/k-1 = %d %v", code, body)
	}
}
