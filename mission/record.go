package mission

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/monitor"
)

// BatchRecord is the content of the log leaf (kind batch) that records an
// ingested file: which settlement and classifier classified it and what
// the ingest stored. docs/log-format.md specifies it; its encoding is
// pinned by golden tests and changes only with a new "record" value.
type BatchRecord struct {
	// Record is "ingest".
	Record string `json:"record"`
	// Settlement names the settlement (a file path or an id).
	Settlement string `json:"settlement"`
	// Classifier is the classifier's fingerprint
	// ([monitor.Classifier.Fingerprint]).
	Classifier string `json:"classifier"`
	File       string `json:"file"`
	Format     string `json:"format"`
	// Hash is the hex SHA-256 of the file.
	Hash         string `json:"sha256"`
	Batch        int64  `json:"batch"`
	Duplicate    bool   `json:"duplicate"`
	Records      int64  `json:"records"`
	Added        int64  `json:"added"`
	Updated      int64  `json:"updated"`
	Deleted      int64  `json:"deleted"`
	Unchanged    int64  `json:"unchanged"`
	Reclassified int64  `json:"reclassified"`
	Violations   int64  `json:"violations"`
	Unattributed int64  `json:"unattributed"`
}

// NewBatchRecord returns the record of one ingested file.
func NewBatchRecord(settlement, classifier string, f *FileResult) *BatchRecord {
	return &BatchRecord{Record: "ingest", Settlement: settlement, Classifier: classifier,
		File: f.File, Format: f.Format, Hash: f.Hash, Batch: f.Batch, Duplicate: f.Duplicate, Records: f.Records,
		Added: f.Added, Updated: f.Updated, Deleted: f.Deleted, Unchanged: f.Unchanged,
		Reclassified: f.Reclassified, Violations: f.Violations, Unattributed: f.Unattributed}
}

// Leaf returns the record as a batch leaf at time t.
func (r *BatchRecord) Leaf(t time.Time) (ledger.Leaf, error) {
	content, err := json.Marshal(r)
	if err != nil {
		return ledger.Leaf{}, err
	}
	return ledger.NewLeaf(ledger.KindBatch, t, content)
}

// ReportRecord is the content of the log leaf (kind report) that records
// a monitoring report: the report as [Report] gives it (without its log
// index), under "record": "report" and the settlement's name.
// docs/log-format.md specifies it; its encoding is pinned by golden
// tests.
type ReportRecord struct {
	// Record is "report".
	Record string `json:"record"`
	// Settlement names the settlement (a file path or an id).
	Settlement string `json:"settlement"`
	*monitor.Report
	UnattributedEvents   []UnattributedEvent `json:"unattributed_events"`
	UnattributedComplete bool                `json:"unattributed_complete"`
	Reclassified         int64               `json:"reclassified"`
	Store                string              `json:"store"`
}

// NewReportRecord returns the record of a report.
func NewReportRecord(settlement string, r *Report) *ReportRecord {
	return &ReportRecord{Record: "report", Settlement: settlement, Report: r.Report, UnattributedEvents: r.UnattributedEvents,
		UnattributedComplete: r.UnattributedComplete, Reclassified: r.Reclassified, Store: r.Store}
}

// ReportSummary is the content of a report leaf when the whole
// [ReportRecord] is larger than a leaf holds ([ledger.MaxContentSize]):
// the counts without the per-day series and the listed events, and the
// SHA-256 and size of the whole record's JSON, which the reporter keeps.
type ReportSummary struct {
	// The fields are in the order of their JSON names.

	// Bytes is the length of the whole record's JSON, and Hash its hex
	// SHA-256.
	Bytes      int                     `json:"bytes"`
	Events     int64                   `json:"events"`
	From       string                  `json:"from"`
	Record     string                  `json:"record"` // "report"
	Settlement string                  `json:"settlement"`
	Hash       string                  `json:"sha256"`
	Store      string                  `json:"store"`
	Summary    bool                    `json:"summary"` // true
	To         string                  `json:"to"`
	Triggers   []monitor.TriggerResult `json:"triggers"`
	Violations SummaryViolations       `json:"violations"`
}

// SummaryViolations are the violation counts a [ReportSummary] keeps.
type SummaryViolations struct {
	ByRule map[string]int64 `json:"by_rule"`
	BySide map[string]int64 `json:"by_side"`
	ByZone map[string]int64 `json:"by_zone"`
	Total  int64            `json:"total"`
}

// Leaf returns the record as a report leaf at time t: the record itself,
// or its [ReportSummary] when the record is too large for a leaf.
func (r *ReportRecord) Leaf(t time.Time) (ledger.Leaf, error) {
	content, err := json.Marshal(r)
	if err != nil {
		return ledger.Leaf{}, err
	}
	if len(content) > ledger.MaxContentSize {
		sum := sha256.Sum256(content)
		v := r.Violations
		s := ReportSummary{Record: "report", Settlement: r.Settlement, Summary: true,
			Hash: fmt.Sprintf("%x", sum), Bytes: len(content), Events: r.Events, From: r.From, To: r.To,
			Violations: SummaryViolations{Total: v.Total, BySide: v.BySide, ByZone: v.ByZone, ByRule: v.ByRule},
			Triggers:   r.Triggers, Store: r.Store}
		if content, err = json.Marshal(s); err != nil {
			return ledger.Leaf{}, err
		}
	}
	return ledger.NewLeaf(ledger.KindReport, t, content)
}
