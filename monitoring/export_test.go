package monitoring

// SetLimitsForTest gives a profile tier limits in one currency.
func SetLimitsForTest(p *CustomerProfile, cur string, l Limits) {
	if p.limits == nil {
		p.limits = map[string]Limits{}
	}
	p.limits[cur] = l
}
