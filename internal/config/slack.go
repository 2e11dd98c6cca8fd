package config

import (
	"net"
	"net/url"
	"strings"
)

// checkSlackURL requires https for a Slack URL: the webhook URL is itself a
// secret, and a bot token travels in the request. Plain http is allowed
// only to a loopback host, as a test server is.
func checkSlackURL(c *collector, key, raw string) {
	before := len(c.out)
	checkURL(c, key, raw)
	if len(c.out) > before {
		return
	}
	if u, _ := url.Parse(raw); u.Scheme == "http" && !loopback(u.Hostname()) {
		c.add(key, "must start with https:// (plain http is allowed only to localhost or 127.0.0.1, for tests): it carries a secret")
	}
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// checkAPIBase refuses an api_url naming a Web API method: the notifier
// appends the method ("chat.postMessage") to it, so the base must end at
// the API's root.
func checkAPIBase(c *collector, key, raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return // reported by checkSlackURL
	}
	last := u.Path[strings.LastIndex(u.Path, "/")+1:]
	switch {
	case strings.Contains(last, "."):
		c.add(key, "ends with the method %q: api_url is the Web API base, such as https://slack.com/api/", last)
	case u.RawQuery != "" || u.Fragment != "":
		c.add(key, "has a query or fragment: api_url is the Web API base, such as https://slack.com/api/")
	}
}

// checkSlackRouting refuses slack_channel without a [slack] section: the
// alerts would silently go nowhere but the log.
func checkSlackRouting(c *collector, f *file) {
	if f.Slack != nil {
		return
	}
	for i, s := range f.Checks {
		if s.SlackChannel != "" {
			c.add("check["+itoa(i)+"].slack_channel",
				"there is no [slack] section to send to: add one with a bot token and channel, or remove slack_channel")
		}
	}
}
