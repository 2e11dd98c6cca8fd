package email

import (
	"bytes"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"

	"github.com/authmon/monitor/internal/alert"
)

// compose builds the message of d: headers, then a multipart/alternative
// body with the plain text and the HTML of the same content.
func (n *Notifier) compose(d alert.Delivery) ([]byte, error) {
	ev := d.Event
	r := alert.Render(ev)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", n.cfg.From)
	h("To", strings.Join(n.cfg.To, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", "[authmon] "+r.Head))
	h("Date", n.now().UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	id, root := n.messageIDs(d)
	h("Message-ID", id)
	if root != "" {
		h("In-Reply-To", root)
		h("References", root)
	}
	h("X-Authmon-Delivery", fmt.Sprint(d.ID))
	h("Auto-Submitted", "auto-generated")
	h("MIME-Version", "1.0")
	h("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	buf.WriteString("\r\n")
	if err := part(mw, "text/plain; charset=utf-8", []byte(plainText(ev, r))); err != nil {
		return nil, err
	}
	var html bytes.Buffer
	if err := htmlTmpl.Execute(&html, map[string]any{"R": r, "URL": ev.DashboardURL}); err != nil {
		return nil, err
	}
	if err := part(mw, "text/html; charset=utf-8", html.Bytes()); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// messageIDs returns the Message-ID of d and, after an incident's first
// mail, the root it replies to. Both are derived, never stored: an incident
// opens with <authmon-incident-N@domain>, and every later mail of it
// replies to that, so clients thread them.
func (n *Notifier) messageIDs(d alert.Delivery) (id, root string) {
	ev := d.Event
	if ev.IncidentID == 0 {
		return fmt.Sprintf("<authmon-n%d@%s>", d.ID, n.domain), ""
	}
	root = fmt.Sprintf("<%s@%s>", alert.IncidentKey(ev), n.domain)
	if ev.Kind == alert.KindOpened {
		return root, ""
	}
	return fmt.Sprintf("<authmon-n%d.%s@%s>", d.ID, alert.IncidentKey(ev), n.domain), root
}

func part(mw *multipart.Writer, ctype string, body []byte) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(pw)
	if _, err := qw.Write(body); err != nil {
		return err
	}
	return qw.Close()
}

func plainText(ev alert.Event, r alert.Rendered) string {
	var b strings.Builder
	b.WriteString(r.Head + "\n\n")
	for _, l := range r.Lines {
		b.WriteString("- " + l + "\n")
	}
	if r.More > 0 {
		fmt.Fprintf(&b, "- and %d more\n", r.More)
	}
	if ev.DashboardURL != "" {
		b.WriteString("\nDashboard: " + ev.DashboardURL + "\n")
	}
	return b.String()
}

var htmlTmpl = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family: sans-serif">
<p><strong>{{.R.Head}}</strong></p>
{{if .R.Lines}}<ul>{{range .R.Lines}}<li>{{.}}</li>{{end}}{{if .R.More}}<li>and {{.R.More}} more</li>{{end}}</ul>{{end}}
{{if .URL}}<p><a href="{{.URL}}">Open in authmon</a></p>{{end}}
</body></html>
`))
