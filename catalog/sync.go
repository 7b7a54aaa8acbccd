package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/keboola/agnes/store"
)

// SourceScan is what the orchestrator found in one extract.
type SourceScan struct {
	Source string
	Tables []Table
	// Err is set when the whole extract is unreadable; its tables then keep
	// their previous data but get Status = the reason.
	Err error
}

// SyncResult summarises a registry sync.
type SyncResult struct {
	Added   []string `json:"added"`
	Updated []string `json:"updated"`
	Removed []string `json:"removed"`
	Broken  []string `json:"broken"`
}

// SyncExtracts upserts the tables found in extracts. Rows created from an
// extract carry origin "extract:<source>"; such a row whose table left a
// readable extract is removed (with its grants). A row registered by an admin
// keeps its admin fields; only the data fields (location, columns, counts,
// md5, status) come from the extract.
func (r *Registry) SyncExtracts(ctx context.Context, actor string, scans []SourceScan) (SyncResult, error) {
	var res SyncResult
	err := r.st.Tx(ctx, func(tx *sql.Tx) error {
		for _, sc := range scans {
			origin := "extract:" + sc.Source
			if sc.Err != nil {
				reason := oneLine(sc.Err.Error())
				if _, err := tx.ExecContext(ctx, "UPDATE table_registry SET status = ? WHERE origin = ?", reason, origin); err != nil {
					return err
				}
				res.Broken = append(res.Broken, sc.Source)
				continue
			}
			seen := map[string]bool{}
			for _, t := range sc.Tables {
				t := t
				if err := validate(&t); err != nil {
					res.Broken = append(res.Broken, sc.Source+"/"+t.ID)
					continue
				}
				seen[t.ID] = true
				var exists bool
				if err := tx.QueryRowContext(ctx, "SELECT count(*) > 0 FROM table_registry WHERE id = ?", t.ID).Scan(&exists); err != nil {
					return err
				}
				now := time.Now().UTC()
				if t.UpdatedAt.IsZero() {
					t.UpdatedAt = now
				}
				if !exists {
					t.RegisteredAt = now
					if err := insertTable(ctx, tx, &t, origin); err != nil {
						return fmt.Errorf("register %s: %w", t.ID, err)
					}
					res.Added = append(res.Added, t.ID)
					continue
				}
				ur, err := tx.ExecContext(ctx, `UPDATE table_registry SET location = ?, columns = ?, row_count = ?, size_bytes = ?, md5 = ?, sha256 = ?,
					status = ?, updated_at = ?, description = CASE WHEN description = '' THEN ? ELSE description END
					WHERE id = ? AND (location IS DISTINCT FROM ? OR md5 IS DISTINCT FROM ? OR sha256 IS DISTINCT FROM ? OR status IS DISTINCT FROM ? OR row_count <> ? OR columns::VARCHAR IS DISTINCT FROM ?)`,
					t.Location, columnsJSON(t.Columns), t.RowCount, t.SizeBytes, t.MD5, t.SHA256, t.Status, t.UpdatedAt, t.Description,
					t.ID, t.Location, t.MD5, t.SHA256, t.Status, t.RowCount, columnsJSON(t.Columns))
				if err != nil {
					return fmt.Errorf("update %s: %w", t.ID, err)
				}
				if n, _ := ur.RowsAffected(); n > 0 {
					res.Updated = append(res.Updated, t.ID)
				}
			}
			rows, err := tx.QueryContext(ctx, "SELECT id FROM table_registry WHERE origin = ?", origin)
			if err != nil {
				return err
			}
			var gone []string
			for rows.Next() {
				var id string
				rows.Scan(&id)
				if !seen[id] {
					gone = append(gone, id)
				}
			}
			rows.Close()
			for _, id := range gone {
				if _, err := tx.ExecContext(ctx, "DELETE FROM resource_grants WHERE resource_type = 'table' AND resource_id = ?", id); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "DELETE FROM table_registry WHERE id = ?", id); err != nil {
					return err
				}
				res.Removed = append(res.Removed, id)
			}
		}
		if len(res.Added)+len(res.Updated)+len(res.Removed)+len(res.Broken) == 0 {
			return nil
		}
		return store.WriteAudit(ctx, tx, store.AuditEntry{UserID: actor, Action: "sync.rebuild", Outcome: "ok",
			Detail: map[string]any{"added": res.Added, "updated": res.Updated, "removed": res.Removed, "broken": res.Broken}})
	})
	if err != nil {
		return res, err
	}
	r.changed()
	if len(res.Removed) > 0 {
		r.rbac.Invalidate()
	}
	return res, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
