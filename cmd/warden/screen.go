package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) screenCommand() *cobra.Command {
	var req screening.ScreenRequest
	var threshold float64
	cmd := &cobra.Command{
		Use:   `screen "NAME" [--dob YYYY[-MM[-DD]]] [--country CC] [--type individual|entity|vessel|aircraft]`,
		Short: "Screen a name against the sanctions and PEP lists, with explained matches",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Name = args[0]
			if cmd.Flags().Changed("threshold") {
				req.Threshold = &threshold
			}
			var res *screening.ScreenResult
			err := a.withScreening(cmd, true, func(svc *screening.Service, _ *sqlstore.DB, _ *audit.Log) error {
				var err error
				res, err = svc.Screen(warden.NewContextWithActor(cmd.Context(), cliActor()), req)
				return err
			})
			if err != nil {
				if warden.ErrorCode(err) == warden.EINVALID {
					return &exitError{code: 2, err: err}
				}
				return err
			}
			if a.jsonOut {
				return a.printJSON(res)
			}
			if len(res.Hits) == 0 {
				fmt.Fprintf(a.stdout, "No hits at threshold %.2f.\n", res.Threshold)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SCORE\tLIST\tID\tLISTED NAME\tMATCHED NAME\tWHY")
			for _, h := range res.Hits {
				fmt.Fprintf(tw, "%.3f\t%s\t%s\t%s\t%s\t%s\n", h.Score, h.List, h.EntryID, h.EntryName, h.MatchedName, why(h.Explanation))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.DateOfBirth, "dob", "", "date of birth: YYYY, YYYY-MM or YYYY-MM-DD")
	f.StringVar(&req.Country, "country", "", "ISO 3166-1 alpha-2 country of nationality or residence")
	f.StringVar(&req.Type, "type", "", "individual, entity, vessel or aircraft")
	f.StringSliceVar(&req.Lists, "list", nil, "only these lists (repeatable): ofac-sdn, ofac-cons, un, ...")
	f.StringVar(&req.Subject, "subject", "", "who is screened (customer id): applies that subject's clearances")
	f.Float64Var(&threshold, "threshold", screening.DefaultThreshold, "report hits scoring at least this")
	return cmd
}

// why summarises an explanation in one line: token pairs and attributes.
func why(e screening.Explanation) string {
	s := ""
	for _, t := range e.Tokens {
		if t.How == "none" {
			s += fmt.Sprintf("%s≠ ", t.Query)
			continue
		}
		if t.How == "exact" {
			s += t.Query + " "
		} else {
			s += fmt.Sprintf("%s~%s(%s) ", t.Query, t.List, t.How)
		}
	}
	for _, a := range e.Attributes {
		s += fmt.Sprintf("%s:%s ", a.Attribute, a.Result)
	}
	return s
}
