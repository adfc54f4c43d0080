package probe

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const hardenedManifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: warden, namespace: compliance}
spec:
  replicas: 3
  selector: {matchLabels: {app: warden}}
  template:
    metadata: {labels: {app: warden}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}]
      containers:
        - name: warden
          image: ghcr.io/wardenhq/warden@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: warden, namespace: compliance}
spec: {minAvailable: 2, selector: {matchLabels: {app: warden}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: compliance}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`

const weakManifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: fineract}
spec:
  replicas: 1
  selector: {matchLabels: {app: fineract}}
  template:
    metadata: {labels: {app: fineract}}
    spec:
      containers:
        - name: fineract
          image: apache/fineract:latest
          securityContext: {privileged: true}
`

func TestKubernetesProbeHardened(t *testing.T) {
	dir := writeTree(t, map[string]string{"warden.yaml": hardenedManifests, "chart/templates/x.yaml": "kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n"})
	fs := Kubernetes(dir, KubernetesOptions{HAWorkloads: []string{"warden"}})
	for _, c := range KubernetesChecks {
		want(t, fs, c, Pass, "")
	}
}

func TestKubernetesProbeWeak(t *testing.T) {
	dir := writeTree(t, map[string]string{"fineract.yml": weakManifests})
	fs := Kubernetes(dir, KubernetesOptions{})
	want(t, fs, CheckK8sNonRoot, Fail, "Deployment/default/fineract/fineract")
	want(t, fs, CheckK8sReadOnlyFS, Fail, "1 of 1")
	want(t, fs, CheckK8sSeccomp, Fail, "")
	want(t, fs, CheckK8sPrivilege, Fail, "")
	want(t, fs, CheckK8sResources, Fail, "")
	want(t, fs, CheckK8sProbes, Fail, "")
	want(t, fs, CheckK8sReplicas, Fail, "Deployment/default/fineract (1)")
	want(t, fs, CheckK8sPDB, Fail, "no PodDisruptionBudget")
	want(t, fs, CheckK8sSpread, Fail, "")
	want(t, fs, CheckK8sNetworkPolicy, Fail, "namespace(s) default")
	want(t, fs, CheckK8sImagePinned, Fail, "")
	fs = Kubernetes(dir, KubernetesOptions{HAWorkloads: []string{"fineract", "payment-hub"}})
	want(t, fs, CheckK8sReplicas, Fail, "not found in the manifests: payment-hub")
}

func TestKubernetesProbeBadFolder(t *testing.T) {
	fs := Kubernetes(filepath.Join(t.TempDir(), "missing"), KubernetesOptions{})
	want(t, fs, CheckK8sPDB, Error, "no such file")
	fs = Kubernetes(writeTree(t, map[string]string{"bad.yaml": "kind: [unclosed"}), KubernetesOptions{})
	want(t, fs, CheckK8sPDB, Error, "bad.yaml")
}

func TestBackupProbe(t *testing.T) {
	now := time.Now()
	random := make([]byte, 64<<10)
	_, _ = rand.Read(random)
	// Random data starts like a binary OpenPGP message one time in 25
	// (tags 1 and 3 in either packet format): the unknown blob must not.
	random[0] = 0
	cases := []struct {
		name          string
		files         map[string]string
		age           time.Duration
		fresh, crypto string
		evidence      string
	}{
		{"age-encrypted and fresh", map[string]string{"pg-2026.dump.age": "age-encryption.org/v1\n-> X25519 abc\n"}, 2 * time.Hour, Pass, Pass, "age"},
		{"plain dump, late", map[string]string{"pg.dump": "PGDMP\x01\x0e\x00"}, 30 * time.Hour, Warn, Fail, "PostgreSQL custom-format dump"},
		{"gzip, very late", map[string]string{"pg.sql.gz": "\x1f\x8b\x08\x00"}, 72 * time.Hour, Fail, Fail, "gzip"},
		{"gpg binary", map[string]string{"pg.dump.gpg": "\x85\x01\x0c\x03"}, time.Hour, Pass, Pass, "OpenPGP"},
		{"unknown high entropy", map[string]string{"blob.bin": string(random)}, time.Hour, Pass, Warn, "looks encrypted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			for name := range tc.files {
				if err := os.Chtimes(filepath.Join(dir, name), now.Add(-tc.age), now.Add(-tc.age)); err != nil {
					t.Fatal(err)
				}
			}
			fs := Backup(dir, BackupOptions{Schedule: 24 * time.Hour, Now: now})
			want(t, fs, CheckBackupFresh, tc.fresh, "schedule every 24h")
			want(t, fs, CheckBackupEncrypted, tc.crypto, tc.evidence)
		})
	}
	t.Run("restic repository", func(t *testing.T) {
		dir := writeTree(t, map[string]string{"config": "x", "snapshots/abc": "y", "data/00/ff": "z"})
		fs := Backup(dir, BackupOptions{Schedule: 24 * time.Hour, Now: now})
		want(t, fs, CheckBackupEncrypted, Pass, "restic")
		want(t, fs, CheckBackupFresh, Pass, "abc")
	})
	t.Run("pattern and empty", func(t *testing.T) {
		dir := writeTree(t, map[string]string{"notes.txt": "hello"})
		fs := Backup(dir, BackupOptions{Pattern: "*.dump*", Schedule: 24 * time.Hour, Now: now})
		want(t, fs, CheckBackupFresh, Error, "no backup files")
	})
}

type fakeFacts struct {
	auditErr error
	lists    map[string]time.Time
	keys     []KeyFact
	waiting  int64
	oldest   time.Time
}

func (f fakeFacts) AuditOutbox(context.Context) (int64, time.Time, error) {
	return f.waiting, f.oldest, nil
}

func (f fakeFacts) VerifyAudit(context.Context) (int64, error) { return 42, f.auditErr }
func (f fakeFacts) ListsLoadedAt(context.Context) (map[string]time.Time, error) {
	return f.lists, nil
}
func (f fakeFacts) APIKeys(context.Context) ([]KeyFact, error) { return f.keys, nil }

func TestWardenProbe(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	good := fakeFacts{lists: map[string]time.Time{"ofac-sdn": now.Add(-2 * time.Hour), "un": now.Add(-20 * time.Hour)},
		keys: []KeyFact{{ID: "a", Name: "fineract", CreatedAt: now.Add(-30 * 24 * time.Hour), Active: true},
			{ID: "b", Name: "old-revoked", CreatedAt: now.Add(-400 * 24 * time.Hour)}}}
	fs := Warden(t.Context(), good, now, 24*time.Hour, 90*24*time.Hour)
	want(t, fs, CheckWardenAudit, Pass, "42 entries")
	want(t, fs, CheckWardenOutbox, Pass, "0 audit records waiting")
	want(t, fs, CheckWardenLists, Pass, "ofac-sdn, un")
	want(t, fs, CheckWardenKeyAge, Pass, "all 1 active keys")
	// Records waiting a little: relays run every few seconds.
	good.waiting, good.oldest = 3, now.Add(-time.Minute)
	want(t, Warden(t.Context(), good, now, 24*time.Hour, 90*24*time.Hour), CheckWardenOutbox, Pass, "3 audit records waiting")
	bad := fakeFacts{auditErr: errors.New("entry 7: hash mismatch"), lists: map[string]time.Time{"un": now.Add(-50 * time.Hour)},
		waiting: 2, oldest: now.Add(-time.Hour),
		keys: []KeyFact{{ID: "c", Name: "core", CreatedAt: now.Add(-120 * 24 * time.Hour), Active: true}}}
	fs = Warden(t.Context(), bad, now, 24*time.Hour, 90*24*time.Hour)
	want(t, fs, CheckWardenAudit, Fail, "entry 7")
	want(t, fs, CheckWardenOutbox, Fail, "2 audit records committed with their changes have waited for the log since 2026-11-01T11:00:00Z")
	want(t, fs, CheckWardenLists, Fail, "un (loaded 50h0m0s ago)")
	want(t, fs, CheckWardenKeyAge, Fail, `c "core" (120 days old)`)
}
