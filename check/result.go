package check

import "github.com/entente-org/entente/settlement"

// Report is the result of checking as the CLI's --json and the server's
// responses give it (DESIGN.md, "Results as JSON"): marshalled unchanged
// by every face.
type Report struct {
	OK       bool          `json:"ok"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Findings []FindingInfo `json:"findings"`
}

// FindingInfo is one finding with its position.
type FindingInfo struct {
	Severity  string `json:"severity"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Party     string `json:"party"`
	Guarantee string `json:"guarantee"`
}

// NewReport gives findings as a Report; strict fails on warnings too.
func NewReport(fs settlement.Findings, strict bool) *Report {
	r := &Report{Errors: fs.Errors(), Warnings: fs.Warnings(), Findings: []FindingInfo{}}
	r.OK = r.Errors == 0 && !(strict && r.Warnings > 0)
	for _, f := range fs {
		r.Findings = append(r.Findings, Info(f))
	}
	return r
}

// Info describes one finding.
func Info(f settlement.Finding) FindingInfo {
	return FindingInfo{Severity: string(f.Severity), Code: f.Code, Message: f.Message, Hint: f.Hint,
		File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col, Party: f.Party, Guarantee: f.Guarantee}
}
