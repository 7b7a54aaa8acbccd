// Command agnes is the single Agnes binary: `agnes serve` runs the gateway,
// every other command is a thin client of its HTTP API.
//
// Commands only parse flags, call a package (client for the HTTP API, the
// server packages for serve) and print. Output is a human table by default
// and JSON with --json. Exit codes: 0 success, 1 an error (one line on
// stderr saying what to do next), 2 a usage error (unknown command or
// flag, wrong arguments).
//
// Credentials come from, in order: the --server/--token flags, the
// AGNES_SERVER/AGNES_TOKEN environment variables, and the file `agnes
// login` writes (credentials.json in $AGNES_CONFIG_DIR, or in the agnes
// directory of the user's configuration directory), mode 0600.
package main
