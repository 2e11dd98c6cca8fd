package checks

// Challenge is one parsed challenge of a WWW-Authenticate or
// Proxy-Authenticate field (RFC 9110 §11.3).
type Challenge struct {
	Scheme  string  `json:"scheme"` // as received; compare case-insensitively
	Token68 string  `json:"token68,omitempty"`
	Params  []Param `json:"params,omitempty"` // in the order received
}

// Param is one auth-param of a challenge.
type Param struct {
	Name   string `json:"name"`  // as received; compare case-insensitively
	Value  string `json:"value"` // quoted-pairs already unescaped
	Quoted bool   `json:"quoted,omitempty"`
}
