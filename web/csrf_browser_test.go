package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserPostsDemoForm: in a real browser, the demo form of the
// overview posts with the token its page carries and switches the mode, on
// an open dashboard and behind Basic auth (the token bound to the user).
// The button of the former mode appears once the redirect has loaded.
func TestBrowserPostsDemoForm(t *testing.T) {
	tests := []struct {
		name string
		cfg  AuthConfig
		hdr  map[string]string
	}{
		{"open", AuthConfig{}, nil},
		{"basic", AuthConfig{Users: map[string]string{"ops": testHash(t, canary)}}, basic("ops", canary)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			demo := &fakeDemo{mode: "normal"}
			srv := httptest.NewServer(New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Demo: demo,
				Now: func() time.Time { return t0 }, Auth: tt.cfg}))
			t.Cleanup(srv.Close)
			browser := newBrowser(t)
			ctx, cancel := context.WithTimeout(browser, browserWait)
			defer cancel()
			headers := network.Headers{}
			for k, v := range tt.hdr {
				headers[k] = v
			}
			withHeaders := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: headers})
				return err
			})
			err := chromedp.Do(ctx, withHeaders,
				chromedp.Navigate(srv.URL+"/"), chromedp.Click(chromedp.CSS(`[data-testid="demo-bypass"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="demo-normal"]`)))
			if err != nil {
				t.Fatal(err)
			}
			mode, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="demo-mode"]`)))
			if err != nil {
				t.Fatal(err)
			}
			if demo.Mode() != "bypass" || strings.TrimSpace(mode) != "bypass" {
				t.Errorf("after the post: mode %q, page shows %q; want bypass", demo.Mode(), mode)
			}
		})
	}
}
