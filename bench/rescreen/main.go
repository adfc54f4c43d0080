// Command rescreen measures re-screening after a list update
// (bench/rescreen.sh): it seeds a SQLite store with N customers (default
// 100,000), each screened against the bundled lists as onboarding would,
// then applies a weekly-sized OFAC SDN update (entries added, changed and
// removed) and times kyc.Service.Rescreen, which must touch only the
// customers the change can affect. It prints the figures; it asserts
// nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store/sqlite"
)

var (
	given = []string{"Amina", "Wanjiru", "John", "Mary", "Peter", "Grace", "James", "Faith", "David", "Mercy", "Joseph", "Esther",
		"Mohamed", "Fatuma", "Ali", "Halima", "Hassan", "Zawadi", "Brian", "Cynthia", "Kevin", "Diana", "Samuel", "Ann",
		"Ahmed", "Omar", "Yusuf", "Ibrahim", "Maria", "Jose", "Carlos", "Li", "Wei", "Olga", "Ivan", "Sergei", "Priya", "Raj"}
	surnames = []string{"Otieno", "Kamau", "Mwangi", "Ochieng", "Njoroge", "Kiprop", "Wambui", "Mutua", "Akinyi", "Chebet",
		"Hassan", "Abdi", "Omondi", "Kariuki", "Kimani", "Smith", "Johnson", "Garcia", "Martinez", "Nguyen", "Petrov",
		"Ivanov", "Khan", "Patel", "Haddad", "Rahman", "Mensah", "Okafor", "Silva", "Santos", "Muller", "Rossi"}
	companies = []string{"Trading", "Holdings", "Logistics", "Agro", "Motors", "Pharma", "Textiles", "Energy", "Foods", "Shipping"}
)

func main() {
	n := flag.Int("customers", 100000, "customers to seed")
	added := flag.Int("added", 60, "SDN entries added by the update")
	changed := flag.Int("changed", 25, "SDN entries changed (an alias added)")
	removed := flag.Int("removed", 15, "SDN entries removed")
	flag.Parse()
	if err := run(*n, *added, *changed, *removed); err != nil {
		log.Fatal(err)
	}
}

func run(n, nAdded, nChanged, nRemoved int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "warden-rescreen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "warden.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	snaps, err := bundled.Load()
	if err != nil {
		return err
	}
	lists := &screening.Service{Screener: screening.NewScreener(snaps...), Lists: db}
	if _, err := lists.LoadAll(ctx, snaps...); err != nil {
		return err
	}
	sdn := lists.Screener.Snapshot("ofac-sdn")
	svc := &kyc.Service{Store: db, Screening: lists, Owners: db, Alerts: &cases.Alerts{Store: db}}

	// Customers: generated names, and one in 2,000 a listed name (as a real
	// book holds a few true or false positives).
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Now()
	cs := make([]*kyc.Customer, n)
	for i := range cs {
		d := kyc.CustomerData{Type: kyc.TypeIndividual, GivenNames: given[rng.IntN(len(given))], Surname: surnames[rng.IntN(len(surnames))],
			DateOfBirth: fmt.Sprintf("%d-%02d-%02d", 1950+rng.IntN(55), 1+rng.IntN(12), 1+rng.IntN(28)), Country: "KE"}
		switch {
		case i%2000 == 0:
			e := sdn.Entities[rng.IntN(len(sdn.Entities))]
			d = kyc.CustomerData{Type: kyc.TypeEntity, LegalName: e.Names[0].Text, RegistrationNumber: fmt.Sprint("R", i), Country: "KE"}
		case i%10 == 0:
			d = kyc.CustomerData{Type: kyc.TypeEntity, LegalName: surnames[rng.IntN(len(surnames))] + " " + companies[rng.IntN(len(companies))] + " Ltd",
				RegistrationNumber: fmt.Sprint("R", i), Country: "KE"}
		}
		cs[i] = &kyc.Customer{ID: fmt.Sprintf("cust-%07d", i), Version: 1, UpdatedAt: time.Now().UTC(), UpdatedBy: "bench", CustomerData: d}
	}
	// Onboarding screening, on every core.
	var wg sync.WaitGroup
	work := make(chan *kyc.Customer, 256)
	var mu sync.Mutex
	var firstErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				res, err := lists.Screen(ctx, screening.ScreenRequest{Subject: c.ID, Name: c.Name(), Type: map[bool]string{true: "entity", false: "individual"}[c.Type == kyc.TypeEntity], DateOfBirth: c.DateOfBirth})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				sum := &kyc.ScreeningSummary{ScreenedAt: time.Now().UTC(), Threshold: res.Threshold, Hits: []kyc.ScreeningHit{}, ListVersions: res.ListVersions}
				for _, h := range res.Hits {
					sum.Hits = append(sum.Hits, kyc.ScreeningHit{List: h.List, EntryID: h.EntryID, EntryName: h.EntryName, Matched: h.MatchedName, Score: h.Score})
				}
				c.Screening = sum
			}
		}()
	}
	for _, c := range cs {
		work <- c
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	screened := time.Since(t0)
	t1 := time.Now()
	if err := db.ImportCustomers(ctx, cs); err != nil {
		return err
	}
	fmt.Printf("seeded %d customers: screened in %.1f s, stored in %.1f s\n", n, screened.Seconds(), time.Since(t1).Seconds())
	cs = nil

	// The update: new designations take names from the UN and consolidated
	// lists (plausible names, some sharing tokens with customers), changes
	// add an alias, removals delist.
	next := *sdn
	next.ContentSHA256, next.Version = "bench-update", "bench-update"
	next.Entities = append([]screening.Entity(nil), sdn.Entities[nRemoved:]...)
	donors := append(append([]screening.Entity(nil), lists.Screener.Snapshot("un").Entities...), lists.Screener.Snapshot("ofac-cons").Entities...)
	for i := 0; i < nAdded && i < len(donors); i++ {
		e := donors[rng.IntN(len(donors))]
		e.List, e.ID = "ofac-sdn", fmt.Sprint("B", 900000+i)
		next.Entities = append(next.Entities, e)
	}
	for i := 0; i < nChanged; i++ {
		k := rng.IntN(len(sdn.Entities) - nRemoved)
		e := next.Entities[k]
		e.Names = append(append([]screening.Name(nil), e.Names...), screening.Name{Text: surnames[rng.IntN(len(surnames))] + " " + e.Names[0].Text, Kind: screening.NameStrongAKA})
		next.Entities[k] = e
	}
	t2 := time.Now()
	diff, err := lists.Load(ctx, &next)
	if err != nil {
		return err
	}
	loaded := time.Since(t2)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	t3 := time.Now()
	res, err := svc.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &next}, []screening.ListDiff{diff})
	if err != nil {
		return err
	}
	took := time.Since(t3)
	runtime.ReadMemStats(&ms)
	fmt.Printf("list update: %d added, %d changed, %d removed (loaded and indexed in %.2f s)\n", len(diff.Added), len(diff.Changed), len(diff.Removed), loaded.Seconds())
	fmt.Printf("re-screening after the update (%d CPUs, %s):\n", runtime.NumCPU(), runtime.Version())
	fmt.Printf("  customers looked at:      %d\n", res.Customers)
	fmt.Printf("  re-screened (affected):   %d\n", res.Rescreened)
	fmt.Printf("  new hits / updated:       %d / %d\n", res.NewHits, res.Updated)
	fmt.Printf("  alerts raised:            %d\n", res.Alerts)
	fmt.Printf("  wall time:                %.2f s   (target < 60 s: %s)\n", took.Seconds(), map[bool]string{true: "met", false: "MISSED"}[took < time.Minute])
	fmt.Printf("  customers/s looked at:    %.0f\n", float64(res.Customers)/took.Seconds())
	fmt.Printf("  heap before / peak sys:   %d MB / %d MB\n", before>>20, ms.Sys>>20)
	return nil
}
