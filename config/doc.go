// Package config turns the optional instance.yaml, AGNES_* environment
// variables and `agnes serve` flags into one typed, validated Config.
//
// Flow: Default() → file (Load) → environment (AGNES_<SECTION>_<KEY>, e.g.
// AGNES_PG_LISTEN, AGNES_DATA_DIR) → flags (Set with the dotted key). Every
// layer goes through Set, so one parser and one set of messages serve the
// file, the environment and the flags.
//
// Invariants: no file is needed (Default is complete); an unknown key or a
// bad value fails start-up with an *Error that names the dotted key, where
// the value came from (file:line, env var) and the expected form.
package config
