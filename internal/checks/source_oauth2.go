package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/authmon/monitor/internal/redact"
)

// NewOAuth2Source returns the Source of an oauth2 credential set: a Bearer
// token from the client credentials grant (RFC 6749 §4.4), cached until it
// expires. It is safe for concurrent use; concurrent Gets of an expired
// token fetch once.
func NewOAuth2Source(spec OAuth2Spec) Source {
	style := oauth2.AuthStyleInHeader // client_secret_basic, RFC 6749 §2.3.1
	if strings.EqualFold(spec.AuthStyle, "post") {
		style = oauth2.AuthStyleInParams
	}
	s := &oauth2Source{spec: spec, cfg: clientcredentials.Config{
		ClientID: spec.ClientID, ClientSecret: spec.ClientSecret,
		TokenURL: spec.TokenURL, Scopes: spec.Scopes, AuthStyle: style,
	}}
	s.cache.now = time.Now
	return s
}

// oauth2Source fetches with clientcredentials.Config.Token, which asks the
// endpoint every time, and caches in tokenCache rather than in the
// library's ReuseTokenSource: that one cannot be told to drop a token the
// target refused, and it keeps the context of its first call.
type oauth2Source struct {
	spec  OAuth2Spec
	cfg   clientcredentials.Config
	cache tokenCache
}

func (s *oauth2Source) Get(ctx context.Context, hc *http.Client) (Credential, error) {
	hc = clientOr(hc)
	return s.cache.get(ctx, func(ctx context.Context) (Credential, time.Time, error) {
		return s.fetch(ctx, hc)
	})
}

func (s *oauth2Source) Invalidate(c Credential) { s.cache.invalidate(c) }

func (s *oauth2Source) fetch(ctx context.Context, hc *http.Client) (Credential, time.Time, error) {
	budget := deadlineOf(ctx)
	tok, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		if ctx.Err() != nil { // the library wraps transport errors with %v
			err = ctx.Err()
		}
		return Credential{}, time.Time{}, s.plainError(err, budget)
	}
	now := s.cache.now()
	t := issued{value: tok.AccessToken}
	if !tok.Expiry.IsZero() {
		t.expiresIn, t.hasExpIn = tok.Expiry.Sub(now), true
	}
	return Credential{Kind: AuthBearer, Token: tok.AccessToken}, t.expiry(now, DefaultTokenTTL), nil
}

// plainError says why no token came, in words a person can act on. The
// library's own errors quote the endpoint's body, which may echo the
// request (client secret included): only the status and the registered
// error code are kept.
func (s *oauth2Source) plainError(err error, budget time.Duration) error {
	var re *oauth2.RetrieveError
	var msg string
	switch {
	case errors.As(err, &re) && re.Response != nil:
		msg = fmt.Sprintf("token endpoint %s answered %s", s.spec.TokenURL,
			statusAndCode(re.Response.StatusCode, re.ErrorCode))
		if hint := clientHint(re.Response.StatusCode, re.ErrorCode); hint != "" {
			msg += ": " + hint + " of this credential set"
		}
	case strings.Contains(err.Error(), "server response missing access_token"):
		msg = fmt.Sprintf("token endpoint %s answered without an access_token", s.spec.TokenURL)
	default:
		why := strings.TrimPrefix(describeError(err, budget, 1<<20), "oauth2: ")
		msg = fmt.Sprintf("token endpoint %s: %s", s.spec.TokenURL, redact.Tokens(why))
	}
	secrets := append(PairSecrets(s.spec.ClientID, s.spec.ClientSecret), s.spec.ClientSecret)
	return errors.New(redact.New(secrets...).String(msg))
}

// statusAndCode is how a token endpoint's refusal reads: "401
// invalid_client" when it sent a registered-looking error code, "401
// Unauthorized" when not.
func statusAndCode(status int, code string) string {
	if code != "" && IsToken(code) && len(code) <= 64 {
		return fmt.Sprintf("%d %s", status, code)
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}

// clientHint says what to check when a token endpoint refuses the client
// itself (RFC 6749 §5.2 invalid_client, or a bare 401): most often a
// client secret that was rotated on the server but not in the config.
func clientHint(status int, code string) string {
	if code == "invalid_client" || status == http.StatusUnauthorized && code == "" {
		return "the client was refused: check the client secret (was it rotated?) and the client id"
	}
	return ""
}
