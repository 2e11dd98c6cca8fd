package checks

import (
	"strings"
	"testing"
)

// rfc7616Challenge is the challenge of RFC 7616 §3.9.1, offered with both
// algorithms as the example's server does.
func rfc7616Challenge(alg string) Challenge {
	return Challenge{Scheme: "Digest", Params: []Param{
		{Name: "realm", Value: "http-auth@example.org", Quoted: true},
		{Name: "qop", Value: "auth, auth-int", Quoted: true},
		{Name: "algorithm", Value: alg},
		{Name: "nonce", Value: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", Quoted: true},
		{Name: "opaque", Value: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Quoted: true},
	}}
}

// TestDigestRFC7616Vectors computes the responses of RFC 7616 §3.9.1's
// worked example (Mufasa, "Circle of Life"): MD5 and SHA-256, the two
// algorithms Apache's mod_auth_digest does not both speak, so SHA-256 is
// pinned here rather than against a real server.
func TestDigestRFC7616Vectors(t *testing.T) {
	const cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	cred := Credential{Kind: AuthDigest, Username: "Mufasa", Password: "Circle of Life"}
	for _, tc := range []struct{ alg, response string }{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			a, err := answerDigest([]Challenge{rfc7616Challenge(tc.alg)}, cred, "GET", "/dir/index.html", cnonce)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`response="` + tc.response + `"`, "algorithm=" + tc.alg, "qop=auth, nc=00000001",
				`cnonce="` + cnonce + `"`, `opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`, `uri="/dir/index.html"`, `username="Mufasa"`} {
				if !strings.Contains(a.header, want) {
					t.Errorf("header %s\nlacks %s", a.header, want)
				}
			}
		})
	}
}

// TestDigestPick: the strongest computable algorithm unless one is
// configured, and an error naming what was offered otherwise.
func TestDigestPick(t *testing.T) {
	both := []Challenge{rfc7616Challenge("MD5"), rfc7616Challenge("SHA-256")}
	for _, tc := range []struct {
		name, want, got, err string
		cs                   []Challenge
	}{
		{name: "strongest", cs: both, got: "SHA-256"},
		{name: "configured", cs: both, want: "MD5", got: "MD5"},
		{name: "configured, not offered", cs: both, want: "SHA-256-sess", err: "no Digest challenge with algorithm SHA-256-sess"},
		{name: "unknown only", cs: []Challenge{rfc7616Challenge("SHA-1")}, err: "offered: SHA-1"},
		{name: "auth-int only", cs: []Challenge{{Scheme: "Digest", Params: []Param{{Name: "qop", Value: "auth-int"}}}}, err: "offered: MD5"},
		{name: "no Digest", cs: []Challenge{{Scheme: "Basic"}}, err: errNoDigest.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := pickDigest(tc.cs, tc.want)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err %v, want %q", err, tc.err)
			case tc.err == "" && (err != nil || digestAlgorithm(c) != tc.got):
				t.Fatalf("picked %s (err %v), want %s", digestAlgorithm(c), err, tc.got)
			}
		})
	}
}

// TestDigestSessAndUserhash: -sess hashes HA1 with both nonces, and a
// userhash challenge gets the hashed name; neither leaves the plain name
// or HA1 in the header, and the secrets list holds HA1.
func TestDigestSessAndUserhash(t *testing.T) {
	c := rfc7616Challenge("SHA-256-sess")
	c.Params = append(c.Params, Param{Name: "userhash", Value: "true"})
	cred := Credential{Kind: AuthDigest, Username: "Mufasa", Password: "Circle of Life"}
	a, err := answerDigest([]Challenge{c}, cred, "GET", "/", "cn")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.header, "Mufasa") || !strings.Contains(a.header, "userhash=true") || !strings.Contains(a.header, "algorithm=SHA-256-sess") {
		t.Fatalf("header %s", a.header)
	}
	if len(a.secrets) != 4 || a.secrets[0] != "Mufasa:http-auth@example.org:Circle of Life" {
		t.Fatalf("secrets %q", a.secrets)
	}
}

// TestDigestWrongUsesCanary: the wrong probe of a Digest set sends its
// canary_user, as Basic does, with a random password; and it is a failed
// login for that user.
func TestDigestWrongUsesCanary(t *testing.T) {
	c := Credential{Kind: AuthDigest, Username: "svc", Password: "pw", CanaryUser: "canary"}
	w := wrongCredential(c)
	if w.Username != "canary" || w.Password == "pw" || !strings.HasPrefix(w.Password, "authmon-invalid-") {
		t.Fatalf("wrong credential %+v", w)
	}
	if user, ok := failedLoginOf(ProbeWrong, offer{cred: w}); !ok || user != "canary" {
		t.Fatalf("failed login of %q %v, want canary", user, ok)
	}
}

// TestDigestNonceSeen: one answer offering the same nonce for two
// algorithms is no reuse; the nonce of an earlier answer again is.
func TestDigestNonceSeen(t *testing.T) {
	r := &protectedRun{}
	both := []Challenge{rfc7616Challenge("SHA-256"), rfc7616Challenge("MD5")}
	if reused, before := r.seeNonces(both); len(reused) > 0 || before != 0 {
		t.Fatalf("first answer: reused %q, before %d", reused, before)
	}
	if reused, before := r.seeNonces(both[:1]); len(reused) != 1 || before != 1 {
		t.Fatalf("second answer: reused %q, before %d; want the nonce again after 1", reused, before)
	}
}
