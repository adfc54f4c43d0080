package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlstore"
)

// ruleBook loads the rules: the built-in pack and the rules file become new
// versions where they differ from what the store holds, then the latest
// versions come into force.
func ruleBook(ctx context.Context, c config.Config, db *sqlstore.DB, rec monitoring.Recorder) (*monitoring.RuleBook, error) {
	comp, err := monitoring.NewCompiler()
	if err != nil {
		return nil, err
	}
	book := monitoring.NewRuleBook(comp, db, rec)
	if c.Monitoring.BuiltinRules {
		rules, err := monitoring.BuiltinRules()
		if err != nil {
			return nil, err
		}
		if _, err := book.Sync(ctx, rules, "builtin"); err != nil {
			return nil, err
		}
	}
	if c.Monitoring.RulesFile != "" {
		b, err := os.ReadFile(c.Monitoring.RulesFile)
		if err != nil {
			return nil, fmt.Errorf("monitoring.rules_file: %w", err)
		}
		rules, err := monitoring.ParseRules(b)
		if err != nil {
			return nil, fmt.Errorf("monitoring.rules_file %s: %w", c.Monitoring.RulesFile, err)
		}
		if _, err := book.Sync(ctx, rules, "file"); err != nil {
			return nil, fmt.Errorf("monitoring.rules_file %s: %w", c.Monitoring.RulesFile, err)
		}
	}
	return book, book.Refresh(ctx)
}

// monitoringService wires transaction monitoring to the store, KYC,
// screening and alerts.
func monitoringService(c config.Config, db *sqlstore.DB, book *monitoring.RuleBook, customers *kyc.Service, lists *screening.Service, alerts *cases.Alerts, log *slog.Logger) (*monitoring.Service, error) {
	loc, err := time.LoadLocation(c.BusinessTimezone)
	if err != nil {
		return nil, fmt.Errorf("business_timezone: %w", err)
	}
	return monitoring.NewService(monitoring.Config{
		Store:          db,
		Customers:      &monitoring.KYCProfiles{KYC: customers, TTL: 30 * time.Second, Max: 200000},
		Counterparties: &monitoring.ListScreener{Screening: lists, Max: 100000},
		Alerts:         alerts,
		Rules:          book,
		Location:       loc,
		History:        c.Monitoring.History.D(),
		WindowKeys:     c.Monitoring.WindowKeys,
		Shared:         db.Dialect() == "postgres",
		Logger:         log,
	})
}

// runMonitoringJobs refreshes rules changed by other replicas and catches up
// alerts whose raising was cut short, until ctx ends.
func runMonitoringJobs(ctx context.Context, log *slog.Logger, book *monitoring.RuleBook, svc *monitoring.Service) {
	rules := time.NewTicker(10 * time.Second)
	sweep := time.NewTicker(30 * time.Second)
	defer rules.Stop()
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rules.C:
			if err := book.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Error("refreshing rules failed", "err", err)
			}
		case <-sweep.C:
			if n, err := svc.SweepAlerts(ctx); err != nil && ctx.Err() == nil {
				log.Error("alert sweep failed", "err", err)
			} else if n > 0 {
				log.Warn("alerts caught up after an interrupted decision", "count", n)
			}
		}
	}
}
