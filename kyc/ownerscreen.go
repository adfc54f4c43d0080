package kyc

import (
	"context"
	"fmt"
	"time"

	"github.com/wardenhq/warden/kyc/ownership"
	"github.com/wardenhq/warden/screening"
)

// OwnerScreening is the latest screening of an ownership structure's
// parties: their hits by party id, and what was screened for each, so that a
// re-screening can tell new hits from known ones.
type OwnerScreening struct {
	ScreenedAt   time.Time                 `json:"screened_at"`
	Parties      map[string][]ScreeningHit `json:"parties"`
	ListVersions []screening.ListVersion   `json:"list_versions"`
}

// OwnersRecord is one stored structure, for paging.
type OwnersRecord struct {
	CustomerID string
	Owners     Owners
	Screening  *OwnerScreening
}

// OwnerScreeningStore keeps owner screenings.
type OwnerScreeningStore interface {
	// PutOwnerScreening records the screening of the stored structure;
	// ENOTFOUND when the customer has none.
	PutOwnerScreening(ctx context.Context, customerID string, sc *OwnerScreening) error
	// OwnerScreening returns nil, nil when no screening is stored.
	OwnerScreening(ctx context.Context, customerID string) (*OwnerScreening, error)
	// OwnersAfter pages through every stored structure by customer id.
	OwnersAfter(ctx context.Context, after string, limit int) ([]OwnersRecord, error)
}

// screenOwners screens every party of a structure; nil without a screener.
// Each party is its own screening subject (customer/party) so that
// clearances apply per party.
func (s *Service) screenOwners(ctx context.Context, customerID string, o Owners) (*OwnerScreening, error) {
	if s.Screening == nil {
		return nil, nil
	}
	sc := &OwnerScreening{ScreenedAt: s.now().Truncate(time.Microsecond), Parties: map[string][]ScreeningHit{}}
	for _, p := range o.Parties {
		typ := screening.TypeIndividual
		if p.Kind == string(ownership.Entity) {
			typ = screening.TypeEntity
		}
		res, err := s.Screening.Screen(ctx, screening.ScreenRequest{Subject: customerID + "/" + p.ID, Name: p.Name, Type: string(typ), DateOfBirth: p.DateOfBirth, Country: p.Country})
		if err != nil {
			return nil, fmt.Errorf("screen owner %s: %w", p.ID, err)
		}
		hits := []ScreeningHit{}
		for _, h := range res.Hits {
			hits = append(hits, ScreeningHit{List: h.List, EntryID: h.EntryID, EntryName: h.EntryName, Matched: h.MatchedName, Score: h.Score})
		}
		sc.Parties[p.ID] = hits
		sc.ListVersions = res.ListVersions
	}
	return sc, nil
}
