package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// hashCost is the bcrypt cost of `monitor hash-password`, bcrypt's default:
// tens of milliseconds per check on a small server, paid once a minute per
// user thanks to the dashboard's cache of verified logins (cost 12 is four
// times slower; see BenchmarkAuth).
const hashCost = bcrypt.DefaultCost

// tokenPrefix marks the monitor's API tokens, so that secret scanners and
// people can tell one from other random strings.
const tokenPrefix = "amt_"

// hashPasswordCmd reads a password from stdin (its first line) and prints
// its bcrypt hash for [dashboard] users.
func hashPasswordCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("hash-password", stderr)
	cost := fs.Int("cost", hashCost, "bcrypt cost (4-31); each step doubles the time to check a password")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: monitor hash-password [-cost N] <<<\"$PASSWORD\"")
		return exitConfig
	}
	pw, err := readSecretLine(stdin, "password", `monitor hash-password <<<"$PASSWORD"`)
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return exitConfig
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), *cost)
	switch {
	case errors.Is(err, bcrypt.ErrPasswordTooLong):
		fmt.Fprintln(stderr, "hash-password: the password is longer than bcrypt's 72 bytes: choose a shorter one")
		return exitConfig
	case err != nil:
		fmt.Fprintln(stderr, "hash-password:", err) // a bad cost; never names the password
		return exitConfig
	}
	fmt.Fprintln(stdout, string(hash))
	return exitOK
}

// readSecretLine reads the first line of r, without its line ending; what
// and example name the secret and the command in the error for no input.
func readSecretLine(r io.Reader, what, example string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no %s on stdin: pipe it in, e.g. %s", what, example)
	}
	return line, nil
}

// hashTokenCmd prints a new random API token and the sha256 form that goes
// into [dashboard] tokens; with -stdin it hashes a token read from stdin.
func hashTokenCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("hash-token", stderr)
	fromStdin := fs.Bool("stdin", false, "hash the token read from stdin instead of making a new one")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: monitor hash-token [-stdin]")
		return exitConfig
	}
	token := ""
	if *fromStdin {
		t, err := readSecretLine(stdin, "token", `monitor hash-token -stdin <<<"$TOKEN"`)
		if err != nil {
			fmt.Fprintln(stderr, "hash-token:", err)
			return exitConfig
		}
		token = t
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails: crypto/rand panics rather
		token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
		fmt.Fprintf(stdout, "token:  %s\n", token)
	}
	sum := sha256.Sum256([]byte(token))
	fmt.Fprintf(stdout, "config: sha256:%s\n", hex.EncodeToString(sum[:]))
	if !*fromStdin {
		fmt.Fprintln(stderr, "Give the token to the client (Authorization: Bearer TOKEN) and put the sha256 line in\n"+
			"[dashboard] tokens. The token itself is kept nowhere: copy it now.")
	}
	return exitOK
}
