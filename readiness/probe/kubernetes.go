package probe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Checks reported by Kubernetes.
const (
	CheckK8sNonRoot        = "k8s.run_as_non_root"
	CheckK8sReadOnlyFS     = "k8s.read_only_root_fs"
	CheckK8sSeccomp        = "k8s.seccomp"
	CheckK8sPrivilege      = "k8s.privilege_escalation"
	CheckK8sResources      = "k8s.resource_limits"
	CheckK8sProbes         = "k8s.probes"
	CheckK8sReplicas       = "k8s.replicas"
	CheckK8sPDB            = "k8s.pdb"
	CheckK8sSpread         = "k8s.spread"
	CheckK8sNetworkPolicy  = "k8s.network_policy"
	CheckK8sImagePinned    = "k8s.image_pinned"
	defaultMinHAReplicas   = 2
	maxOffendersInEvidence = 6
)

// KubernetesChecks are the checks Kubernetes reports.
var KubernetesChecks = []string{CheckK8sNonRoot, CheckK8sReadOnlyFS, CheckK8sSeccomp, CheckK8sPrivilege, CheckK8sResources,
	CheckK8sProbes, CheckK8sReplicas, CheckK8sPDB, CheckK8sSpread, CheckK8sNetworkPolicy, CheckK8sImagePinned}

// The subset of the Kubernetes object model the checks read. Parsing into
// small structs keeps client-go and its dependency tree out of Warden.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		// CronJob
		JobTemplate struct {
			Spec struct {
				Template struct {
					Spec podSpec `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		} `yaml:"jobTemplate"`
		// NetworkPolicy
		PodSelector *struct {
			MatchLabels      map[string]string `yaml:"matchLabels"`
			MatchExpressions []any             `yaml:"matchExpressions"`
		} `yaml:"podSelector"`
		PolicyTypes []string `yaml:"policyTypes"`
		Ingress     []any    `yaml:"ingress"`
		Egress      []any    `yaml:"egress"`
		// PodDisruptionBudget
		MinAvailable   any `yaml:"minAvailable"`
		MaxUnavailable any `yaml:"maxUnavailable"`
	} `yaml:"spec"`
}

type securityContext struct {
	RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	RunAsUser                *int  `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	Privileged               *bool `yaml:"privileged"`
	SeccompProfile           *struct {
		Type string `yaml:"type"`
	} `yaml:"seccompProfile"`
}

type container struct {
	Name            string          `yaml:"name"`
	Image           string          `yaml:"image"`
	SecurityContext securityContext `yaml:"securityContext"`
	Resources       struct {
		Limits   map[string]any `yaml:"limits"`
		Requests map[string]any `yaml:"requests"`
	} `yaml:"resources"`
	LivenessProbe  any `yaml:"livenessProbe"`
	ReadinessProbe any `yaml:"readinessProbe"`
}

type podSpec struct {
	SecurityContext           securityContext `yaml:"securityContext"`
	Containers                []container     `yaml:"containers"`
	InitContainers            []container     `yaml:"initContainers"`
	Affinity                  map[string]any  `yaml:"affinity"`
	TopologySpreadConstraints []any           `yaml:"topologySpreadConstraints"`
}

// workload is a pod-running object found in the manifests.
type workload struct {
	ref      string // Kind/namespace/name
	name     string
	kind     string
	ns       string
	replicas *int
	labels   map[string]string
	pod      podSpec
	longRun  bool // serves traffic, so probes and HA apply
}

// KubernetesOptions configure Kubernetes.
type KubernetesOptions struct {
	// HAWorkloads names the workloads (metadata.name) that must run at least
	// MinReplicas replicas with a PodDisruptionBudget and spread; empty
	// means every Deployment and StatefulSet.
	HAWorkloads []string
	MinReplicas int
}

// Kubernetes reads every .yaml/.yml file under dir (multi-document files
// included; Helm templates with {{ }} are skipped) and checks the workloads,
// PodDisruptionBudgets and NetworkPolicies it finds.
func Kubernetes(dir string, opts KubernetesOptions) []Finding {
	if opts.MinReplicas == 0 {
		opts.MinReplicas = defaultMinHAReplicas
	}
	objs, skipped, err := loadManifests(dir)
	if err != nil {
		return errorAll(err, KubernetesChecks...)
	}
	var wls []workload
	var pdbs, netpols []k8sObject
	namespaces := map[string]bool{}
	for _, o := range objs {
		ns := o.Metadata.Namespace
		if ns == "" {
			ns = "default"
		}
		switch o.Kind {
		case "Deployment", "StatefulSet", "DaemonSet":
			wls = append(wls, workload{ref: o.Kind + "/" + ns + "/" + o.Metadata.Name, name: o.Metadata.Name, kind: o.Kind, ns: ns,
				replicas: o.Spec.Replicas, labels: o.Spec.Template.Metadata.Labels, pod: o.Spec.Template.Spec, longRun: true})
			namespaces[ns] = true
		case "Job":
			wls = append(wls, workload{ref: "Job/" + ns + "/" + o.Metadata.Name, name: o.Metadata.Name, kind: o.Kind, ns: ns, pod: o.Spec.Template.Spec})
			namespaces[ns] = true
		case "CronJob":
			wls = append(wls, workload{ref: "CronJob/" + ns + "/" + o.Metadata.Name, name: o.Metadata.Name, kind: o.Kind, ns: ns, pod: o.Spec.JobTemplate.Spec.Template.Spec})
			namespaces[ns] = true
		case "PodDisruptionBudget":
			o.Metadata.Namespace = ns
			pdbs = append(pdbs, o)
		case "NetworkPolicy":
			o.Metadata.Namespace = ns
			netpols = append(netpols, o)
		}
	}
	if len(wls) == 0 {
		return errorAll(fmt.Errorf("no Deployment, StatefulSet, DaemonSet, Job or CronJob in %s (%d files skipped as templates)", dir, skipped), KubernetesChecks...)
	}
	scope := fmt.Sprintf("%d workloads in %s", len(wls), dir)
	var out []Finding
	out = append(out, perContainer(CheckK8sNonRoot, scope, wls, func(p podSpec, c container) bool {
		return boolOr(c.SecurityContext.RunAsNonRoot, boolOr(p.SecurityContext.RunAsNonRoot, false)) ||
			intOr(c.SecurityContext.RunAsUser, intOr(p.SecurityContext.RunAsUser, 0)) > 0
	}))
	out = append(out, perContainer(CheckK8sReadOnlyFS, scope, wls, func(_ podSpec, c container) bool {
		return boolOr(c.SecurityContext.ReadOnlyRootFilesystem, false)
	}))
	out = append(out, perContainer(CheckK8sSeccomp, scope, wls, func(p podSpec, c container) bool {
		sp := c.SecurityContext.SeccompProfile
		if sp == nil {
			sp = p.SecurityContext.SeccompProfile
		}
		return sp != nil && (sp.Type == "RuntimeDefault" || sp.Type == "Localhost")
	}))
	out = append(out, perContainer(CheckK8sPrivilege, scope, wls, func(_ podSpec, c container) bool {
		return !boolOr(c.SecurityContext.Privileged, false) && c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation
	}))
	out = append(out, perContainer(CheckK8sResources, scope, wls, func(_ podSpec, c container) bool {
		return c.Resources.Limits["cpu"] != nil && c.Resources.Limits["memory"] != nil && c.Resources.Requests["cpu"] != nil && c.Resources.Requests["memory"] != nil
	}))
	out = append(out, perContainer(CheckK8sImagePinned, scope, wls, func(_ podSpec, c container) bool { return imagePinned(c.Image) }))
	var serving []workload
	for _, w := range wls {
		if w.longRun {
			serving = append(serving, w)
		}
	}
	out = append(out, perContainer(CheckK8sProbes, fmt.Sprintf("%d long-running workloads", len(serving)), serving, func(_ podSpec, c container) bool {
		return c.LivenessProbe != nil && c.ReadinessProbe != nil
	}))
	out = append(out, haFindings(wls, pdbs, opts)...)
	return append(out, networkPolicyFinding(namespaces, netpols))
}

func loadManifests(dir string) ([]k8sObject, int, error) {
	var objs []k8sObject
	skipped := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("{{")) {
			skipped++ // a Helm template: render it first (helm template) to check it
			return nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if o.Kind != "" {
				objs = append(objs, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("kubernetes manifests: %w", err)
	}
	return objs, skipped, nil
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func intOr(i *int, def int) int {
	if i == nil {
		return def
	}
	return *i
}

// perContainer applies ok to every container of every workload and reports
// the offenders.
func perContainer(check, scope string, wls []workload, ok func(podSpec, container) bool) Finding {
	var bad []string
	n := 0
	for _, w := range wls {
		for _, c := range append(slices.Clone(w.pod.Containers), w.pod.InitContainers...) {
			n++
			if !ok(w.pod, c) {
				bad = append(bad, w.ref+"/"+c.Name)
			}
		}
	}
	if len(bad) == 0 {
		return finding(check, Pass, "all %d containers of %s comply", n, scope)
	}
	return finding(check, Fail, "%d of %d containers do not: %s", len(bad), n, offenders(bad))
}

func offenders(bad []string) string {
	if len(bad) > maxOffendersInEvidence {
		return strings.Join(bad[:maxOffendersInEvidence], ", ") + fmt.Sprintf(" and %d more", len(bad)-maxOffendersInEvidence)
	}
	return strings.Join(bad, ", ")
}

func imagePinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	return ok && tag != "" && tag != "latest"
}

func haFindings(wls []workload, pdbs []k8sObject, opts KubernetesOptions) []Finding {
	var ha []workload
	for _, w := range wls {
		if (w.kind == "Deployment" || w.kind == "StatefulSet") && (len(opts.HAWorkloads) == 0 || slices.Contains(opts.HAWorkloads, w.name)) {
			ha = append(ha, w)
		}
	}
	var missing []string
	for _, name := range opts.HAWorkloads {
		if !slices.ContainsFunc(ha, func(w workload) bool { return w.name == name }) {
			missing = append(missing, name)
		}
	}
	if len(ha) == 0 {
		return errorAll(fmt.Errorf("none of the HA workloads %s is in the manifests", strings.Join(opts.HAWorkloads, ", ")), CheckK8sReplicas, CheckK8sPDB, CheckK8sSpread)
	}
	var few, noPDB, noSpread []string
	for _, w := range ha {
		if r := intOr(w.replicas, 1); r < opts.MinReplicas {
			few = append(few, fmt.Sprintf("%s (%d)", w.ref, r))
		}
		if !slices.ContainsFunc(pdbs, func(p k8sObject) bool {
			return p.Metadata.Namespace == w.ns && selects(p.Spec.Selector.MatchLabels, w.labels)
		}) {
			noPDB = append(noPDB, w.ref)
		}
		if len(w.pod.TopologySpreadConstraints) == 0 && w.pod.Affinity["podAntiAffinity"] == nil {
			noSpread = append(noSpread, w.ref)
		}
	}
	var out []Finding
	scope := fmt.Sprintf("%d HA workloads", len(ha))
	if len(missing) > 0 {
		out = append(out, finding(CheckK8sReplicas, Fail, "HA workloads not found in the manifests: %s", strings.Join(missing, ", ")))
	} else if len(few) > 0 {
		out = append(out, finding(CheckK8sReplicas, Fail, "fewer than %d replicas: %s", opts.MinReplicas, offenders(few)))
	} else {
		out = append(out, finding(CheckK8sReplicas, Pass, "all %s run at least %d replicas", scope, opts.MinReplicas))
	}
	out = append(out, verdict(CheckK8sPDB, scope, "no PodDisruptionBudget selects", noPDB))
	return append(out, verdict(CheckK8sSpread, scope, "no podAntiAffinity or topologySpreadConstraints", noSpread))
}

func verdict(check, scope, what string, bad []string) Finding {
	if len(bad) == 0 {
		return finding(check, Pass, "all %s comply", scope)
	}
	return finding(check, Fail, "%s: %s", what, offenders(bad))
}

// selects reports whether a matchLabels selector selects pods with labels.
// An empty selector selects nothing for a PodDisruptionBudget in policy/v1
// semantics we care about here (a PDB must name its pods).
func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// networkPolicyFinding wants, in every namespace with workloads, a policy
// selecting all pods (podSelector: {}) with Ingress in its policy types and
// no ingress rules: Kubernetes' default-deny.
func networkPolicyFinding(namespaces map[string]bool, netpols []k8sObject) Finding {
	var missing []string
	for ns := range namespaces {
		if !slices.ContainsFunc(netpols, func(p k8sObject) bool {
			return p.Metadata.Namespace == ns && p.Spec.PodSelector != nil && len(p.Spec.PodSelector.MatchLabels) == 0 &&
				len(p.Spec.PodSelector.MatchExpressions) == 0 && slices.Contains(p.Spec.PolicyTypes, "Ingress") && len(p.Spec.Ingress) == 0
		}) {
			missing = append(missing, ns)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		return finding(CheckK8sNetworkPolicy, Fail, "no default-deny NetworkPolicy in namespace(s) %s", strings.Join(missing, ", "))
	}
	return finding(CheckK8sNetworkPolicy, Pass, "default-deny NetworkPolicy in all %d namespace(s)", len(namespaces))
}
