package pgcompat

import (
	"crypto/md5"
	"encoding/binary"
)

// OIDs of objects Agnes creates are derived from their names, so a client
// that caches OIDs (pgjdbc, Npgsql, DBeaver) sees the same OID for the same
// table after reconnecting, whichever sandbox serves it. They fall in
// [FirstNameOID, FirstNameOID+2e9), above PostgreSQL's fixed system OIDs and
// below 2^31 (some clients read OIDs as signed 32-bit integers). Two names
// can collide with a probability of about n²/4e9 for n objects; a collision
// makes two tables share an OID in the catalog, it cannot make one
// readable through the other.
//
// The same function is defined in SQL (pgcompat.name_oid); TestNameOIDs
// checks that both agree.

// FirstNameOID is the lowest OID derived from a name (PostgreSQL's
// FirstNormalObjectId).
const FirstNameOID = 16384

const nameOIDRange = 2_000_000_000

// Fixed OIDs of PostgreSQL's own objects that Agnes shows.
const (
	OIDNamespacePgCatalog = 11
	OIDNamespacePublic    = 2200
	OIDNamespaceToast     = 99
	OIDNamespaceInfo      = 13207 // information_schema, as PostgreSQL 15's initdb numbers it
	OIDOwner              = 10    // the role owning every object ("agnes")
	OIDDatabase           = 16384 // the one database
	OIDRelationPgClass    = 1259
)

// OwnerRole is the name of the role that owns every object.
const OwnerRole = "agnes"

// nameOID hashes a key into the name-derived OID range: the first 8 bytes
// of its MD5 as a little-endian integer (DuckDB's md5_number_upper),
// modulo the range.
func nameOID(key string) uint32 {
	sum := md5.Sum([]byte(key))
	return FirstNameOID + uint32(binary.LittleEndian.Uint64(sum[:8])%nameOIDRange)
}

// RelationOID is the pg_class OID of a table served to clients, by its
// PostgreSQL-facing schema ("public") and name.
func RelationOID(schema, name string) uint32 {
	return nameOID("relation " + schema + "\x1f" + name)
}

// NamespaceOID is the pg_namespace OID of a schema.
func NamespaceOID(schema string) uint32 {
	switch schema {
	case "pg_catalog":
		return OIDNamespacePgCatalog
	case "public":
		return OIDNamespacePublic
	case "information_schema":
		return OIDNamespaceInfo
	case "pg_toast":
		return OIDNamespaceToast
	}
	return nameOID("namespace " + schema)
}

// RoleOID is the pg_roles OID of a login name.
func RoleOID(name string) uint32 {
	if name == OwnerRole {
		return OIDOwner
	}
	return nameOID("role " + name)
}
