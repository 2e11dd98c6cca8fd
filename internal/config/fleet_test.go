package config

import "testing"

// TestConfigHashIgnoresLocation: files that differ only in [monitor]
// location are one config for a fleet; any other difference is not.
func TestConfigHashIgnoresLocation(t *testing.T) {
	doc := func(monitor, url string) []byte {
		return []byte("[monitor]\n" + monitor + "\n\n[[check]]\nname = \"api\"\nurl = \"" + url + "\"\nlocations = [\"eu\", \"us\"]\nquorum = 1\n")
	}
	parse := func(b []byte) *Config {
		t.Helper()
		cfg, err := Parse("fleet.toml", b, noEnv)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	eu := parse(doc(`location = "eu"`, "https://api.example.com/"))
	us := parse(doc(`location = "us"`, "https://api.example.com/"))
	none := parse(doc(``, "https://api.example.com/"))
	other := parse(doc(`location = "eu"`, "https://api.example.com/v2"))
	if eu.Hash != us.Hash || eu.Hash != none.Hash {
		t.Fatalf("hashes differ by location only: %s %s %s", eu.Hash, us.Hash, none.Hash)
	}
	if other.Hash == eu.Hash {
		t.Fatal("another URL has the same hash")
	}
	if eu.Location != "eu" || eu.Checks[0].Quorum != 1 || len(eu.Checks[0].Locations) != 2 {
		t.Fatalf("location %q, check %+v", eu.Location, eu.Checks[0])
	}
}
