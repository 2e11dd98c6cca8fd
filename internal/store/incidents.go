package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/authmon/monitor/internal/alert"
)

// saveIncident inserts a new incident (setting its ID) or updates a known one.
func saveIncident(ctx context.Context, tx querier, inc *alert.Incident) error {
	if inc.ID == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO incidents (check_name, severity, opened_ms, incident_json)
			VALUES (?, ?, ?, '{}') RETURNING id`, inc.Check, inc.Severity.String(), ms(inc.Opened)).Scan(&inc.ID)
		if err != nil {
			return fmt.Errorf("save incident: %w", err)
		}
	}
	body, err := json.Marshal(inc)
	if err != nil {
		return fmt.Errorf("save incident: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE incidents SET severity = ?, resolved_ms = ?, incident_json = ?
		WHERE id = ?`, inc.Severity.String(), ms(inc.Resolved), string(body), inc.ID)
	if err != nil {
		return fmt.Errorf("save incident %d: %w", inc.ID, err)
	}
	return nil
}

const incidentColumns = `i.incident_json, i.thread_channel, i.thread_ts, i.acked_by, i.acked_ms`

func scanIncident(row scanner) (IncidentRecord, error) {
	var rec IncidentRecord
	var body string
	var acked int64
	if err := row.Scan(&body, &rec.Thread.Channel, &rec.Thread.TS, &rec.AckedBy, &acked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return IncidentRecord{}, ErrNotFound
		}
		return IncidentRecord{}, err
	}
	if err := json.Unmarshal([]byte(body), &rec.Incident); err != nil {
		return IncidentRecord{}, fmt.Errorf("decode incident: %w", err)
	}
	rec.Acked = fromMs(acked)
	return rec, nil
}

// Incidents lists incidents, open ones first, then the latest resolved.
func (s *Store) Incidents(ctx context.Context, limit int) ([]IncidentRecord, error) {
	return s.incidents(ctx, ``, limit)
}

// CheckIncidents lists one check's incidents, open first, then the latest.
func (s *Store) CheckIncidents(ctx context.Context, check string, limit int) ([]IncidentRecord, error) {
	return s.incidents(ctx, `WHERE i.check_name = ?`, check, limit)
}

func (s *Store) incidents(ctx context.Context, where string, args ...any) ([]IncidentRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents i `+where+`
		ORDER BY i.resolved_ms != 0, i.opened_ms DESC, i.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []IncidentRecord
	for rows.Next() {
		rec, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, s.addLatest(ctx, out)
}

// addLatest fills in each incident's latest notification with one query.
func (s *Store) addLatest(ctx context.Context, recs []IncidentRecord) error {
	if len(recs) == 0 {
		return nil
	}
	ids := make([]any, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	ns, err := s.notifications(ctx, `WHERE id IN (SELECT MAX(id) FROM outbox WHERE incident_id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`) GROUP BY incident_id)`, ids...)
	if err != nil {
		return err
	}
	byIncident := make(map[int64]*Notification, len(ns))
	for i := range ns {
		byIncident[ns[i].Event.IncidentID] = &ns[i]
	}
	for i := range recs {
		recs[i].Latest = byIncident[recs[i].ID]
	}
	return nil
}

// Incident returns one incident with its notifications, oldest first.
func (s *Store) Incident(ctx context.Context, id int64) (IncidentRecord, error) {
	rec, err := scanIncident(s.r.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents i WHERE i.id = ?`, id))
	if err != nil {
		return IncidentRecord{}, fmt.Errorf("incident %d: %w", id, err)
	}
	rec.Notifications, err = s.notifications(ctx, `WHERE incident_id = ? ORDER BY id`, id)
	if n := len(rec.Notifications); n > 0 {
		rec.Latest = &rec.Notifications[n-1]
	}
	return rec, err
}
