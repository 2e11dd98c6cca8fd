package checks

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// resourceMetadata is C17: a challenge that names its protected resource
// metadata (RFC 9728 §5.1) must point at a JSON document whose "resource"
// is identical to the URL the monitor used (§3.3); a client must otherwise
// refuse to use it. The document is fetched at most once per run, with the
// check's client, timeout and body cap, and without credentials.
func (r *protectedRun) resourceMetadata(p *ProbeResult) {
	if r.metadataDone || p.Status != 401 {
		return
	}
	for _, c := range p.Challenges {
		if u, ok := c.Param("resource_metadata"); ok {
			r.metadataDone = true
			p.Assertions = append(p.Assertions, r.fetchMetadata(p.Kind, u))
			return
		}
	}
}

func (r *protectedRun) fetchMetadata(k ProbeKind, raw string) Assertion {
	want := fmt.Sprintf("metadata JSON with resource %q", r.ch.URL)
	fail := func(got string) Assertion {
		return check("C17", false, want, got, k)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fail(fmt.Sprintf("resource_metadata %q, which is not an absolute http(s) URL", clip(raw)))
	}
	if !sameHost(u, r.ch.URL) {
		// The target names the URL: following it anywhere would let any
		// monitored server make the monitor fetch internal addresses.
		a := check("C17", true, want, "resource_metadata on "+u.Hostname(), k)
		a.Deviation = "not fetched: authmon follows resource_metadata only on the checked host"
		return a
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	req, err := newRequest(ctx, "GET", u.String(), nil, nil)
	if err != nil {
		return fail("a request that cannot be built: " + err.Error())
	}
	req.Header.Set("Accept", "application/json")
	x := send(r.hc, req, r.maxBody)
	switch {
	case x.err != nil:
		return fail(fmt.Sprintf("no answer from %s: %s", clip(raw), describeError(x.err, r.timeout, r.maxBody)))
	case !is2xx(x.status):
		return fail(fmt.Sprintf("%d from %s", x.status, clip(raw)))
	}
	doc, ok := jsonObject(x.body)
	if !ok {
		return fail("a document at " + clip(raw) + " that is not a JSON object")
	}
	res, ok := doc["resource"].(string)
	if !ok {
		return fail("a document at " + clip(raw) + " without a resource string")
	}
	return check("C17", res == r.ch.URL, want, fmt.Sprintf("resource %q", clip(res)), k)
}

// sameHost reports whether u names the same host as the check's URL.
func sameHost(u *url.URL, checkURL string) bool {
	c, err := url.Parse(checkURL)
	return err == nil && strings.EqualFold(u.Hostname(), c.Hostname())
}
