package monitoring

// SetLimitsForTest gives a profile tier limits in one currency.
func SetLimitsForTest(p *CustomerProfile, cur string, l Limits) {
	if p.limits == nil {
		p.limits = map[string]Limits{}
	}
	p.limits[cur] = l
}

// PutWindowForTest installs an empty window for k.
func PutWindowForTest(ws *Windows, k Key) { ws.put(&window{key: k}) }

// MaxAlertTx is maxAlertTx for tests.
const MaxAlertTx = maxAlertTx
