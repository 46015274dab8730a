package settlement

import (
	"sort"
	"strings"
)

// PA-X category codes.
//
// Source (checked code by code; see docs/pax.md for the full record):
//
//   - Codes: the header row of the PA-X main dataset, version 10, as published by
//     PeaceRep (Peace and Conflict Resolution Evidence Platform, University of
//     Edinburgh): GitHub peacerep/v7_messy_timeline, file
//     data/pax_all_agreements_v10.csv, commit
//     152dc2ba61b900ea34961bf1a3cf8f27967bba44. The same header is listed as
//     "csv_headers" (for pax_data_2257_agreements_v10.csv) in the source of the
//     names below. Every agreement-content column of that header (GCh through
//     ImE, 251 columns) is a known code; the metadata columns (Con … CowWar,
//     Interim, ImSrc) are not.
//   - Names: the PA-X topic catalogue ("topics", dataset "main") in PeaceRep's
//     PA-X guide, GitHub peacerep/pax_guide, file assets/guide-data.js, commit
//     7009472f0d7c20559ba203cd696a74d5e38cf4c8 ("Review edition", checked
//     2026-09-29), which links to the codebook
//     https://www.peaceagreements.org/cms/documents/3956/PA_X_codebook_v10.pdf.
//     Labels are copied verbatim; the catalogue reports 248 topics, 14
//     categories and 197 leaves, and paxTopics holds exactly those plus the
//     16 columns of the next point.
//   - The 16 power-sharing columns ending in ":St" and ":Sub" (for example
//     PpsEx:St) are in the dataset header but have no label in the catalogue;
//     their "State level" / "Sub-state level" labels are derived, not copied.

// paxTopic is one topic of the PA-X topic catalogue. variable is true when the
// code is a column of the PA-X dataset (an agreement-content variable); the
// top-level categories other than StDef are only used to name their children.
type paxTopic struct {
	code, parent, label string
	variable            bool
}

// paxTopics is the PA-X topic catalogue, in the catalogue's order.
var paxTopics = []paxTopic{
	// Groups
	{"Gr", "", "Groups", false},
	{"GCh", "Gr", "Children/youth", true},
	{"GChRhet", "GCh", "Rhetorical", true},
	{"GChAntid", "GCh", "Anti-discrimination", true},
	{"GChSubs", "GCh", "Substantive", true},
	{"GChOth", "GCh", "Other", true},
	{"GDis", "Gr", "Disabled persons", true},
	{"GDisRhet", "GDis", "Rhetorical", true},
	{"GDisAntid", "GDis", "Anti-discrimination", true},
	{"GDisSubs", "GDis", "Substantive", true},
	{"GDisOth", "GDis", "Other", true},
	{"GAge", "Gr", "Elderly/age", true},
	{"GAgeRhet", "GAge", "Rhetorical", true},
	{"GAgeAntid", "GAge", "Anti-discrimination", true},
	{"GAgeSubs", "GAge", "Substantive", true},
	{"GAgeOth", "GAge", "Other", true},
	{"GMig", "Gr", "Migrant workers", true},
	{"GMigRhet", "GMig", "Rhetorical", true},
	{"GMigAntid", "GMig", "Anti-discrimination", true},
	{"GMigSubs", "GMig", "Substantive", true},
	{"GMigOth", "GMig", "Other", true},
	{"GRa", "Gr", "Racial/ethnic/national group", true},
	{"GRaRhet", "GRa", "Rhetorical", true},
	{"GRaAntid", "GRa", "Anti-discrimination", true},
	{"GRaSubs", "GRa", "Substantive", true},
	{"GRaOth", "GRa", "Other", true},
	{"GRe", "Gr", "Religious groups", true},
	{"GReRhet", "GRe", "Rhetorical", true},
	{"GReAntid", "GRe", "Anti-discrimination", true},
	{"GReSubs", "GRe", "Substantive", true},
	{"GReOth", "GRe", "Other", true},
	{"GInd", "Gr", "Indigenous people", true},
	{"GIndRhet", "GInd", "Rhetorical", true},
	{"GIndAntid", "GInd", "Anti-discrimination", true},
	{"GIndSubs", "GInd", "Substantive", true},
	{"GIndOth", "GInd", "Other", true},
	{"GOth", "Gr", "Other groups", true},
	{"GOthRhet", "GOth", "Rhetorical", true},
	{"GOthAntid", "GOth", "Anti-discrimination", true},
	{"GOthSubs", "GOth", "Substantive", true},
	{"GOthOth", "GOth", "Other", true},
	{"GRef", "Gr", "Refugees/displaced persons", true},
	{"GRefRhet", "GRef", "Rhetorical", true},
	{"GRefSubs", "GRef", "Substantive", true},
	{"GRefOth", "GRef", "Other", true},
	{"GSoc", "Gr", "Social class", true},
	{"GSocRhet", "GSoc", "Rhetorical", true},
	{"GSocAntid", "GSoc", "Anti-discrimination", true},
	{"GSocSubs", "GSoc", "Substantive", true},
	{"GSocOth", "GSoc", "Other", true},

	// Gender
	{"Ge", "", "Gender", false},
	{"GeWom", "Ge", "Women, girls and gender", true},
	{"GeMe", "Ge", "Men and boys", true},
	{"GeMeNu", "GeMe", "Gender neutral wording", true},
	{"GeMeOth", "GeMe", "Other", true},
	{"GeLgbti", "Ge", "LGBTI", true},
	{"GeLgbtiPos", "GeLgbti", "LGBTI (positive)", true},
	{"GeLgbtiNeg", "GeLgbti", "LGBTI (negative)", true},
	{"GeFa", "Ge", "Family", true},

	// State definition
	{"StDef", "", "State definition", true},
	{"StGen", "StDef", "Nature of state (general)", true},
	{"StCon", "StDef", "State configuration", true},
	{"StSd", "StDef", "Self determination", true},
	{"StRef", "StDef", "Referendum", true},
	{"StSym", "StDef", "State symbols", true},
	{"StInd", "StDef", "Independence/secession", true},
	{"StUni", "StDef", "Accession/unification", true},
	{"StBor", "StDef", "Border delimitation", true},
	{"StXbor", "StDef", "Cross-border provision", true},

	// Governance
	{"Gov", "", "Governance", false},
	{"Pol", "Gov", "Political institutions (new or reformed)", true},
	{"PolGen", "Pol", "General references", true},
	{"PolNewInd", "Pol", "New political institutions (indefinite)", true},
	{"PolNewTemp", "Pol", "Temporary new institutions", true},
	{"Ele", "Gov", "Elections", true},
	{"ElecComm", "Gov", "Electoral commission", true},
	{"PolPar", "Gov", "Political parties reform", true},
	{"PolParTrans", "PolPar", "Rebels transitioning to political parties", true},
	{"PolParOth", "PolPar", "Other political parties reform", true},
	{"Civso", "Gov", "Civil society", true},
	{"Tral", "Gov", "Traditional/religious leaders", true},
	{"Pubad", "Gov", "Public administration", true},
	{"ConGen", "Gov", "Constitution", true},
	{"ConRen", "ConGen", "Constitution affirmation/renewal", true},
	{"Cons", "ConGen", "Constitutional reform/making", true},

	// Power sharing
	{"Ps", "", "Power sharing", false},
	{"Polps", "Ps", "Political power sharing", true},
	{"PpsGe", "Polps", "General", true},
	{"PpsGe:St", "PpsGe", "State level", true},      // name derived, see docs/pax.md
	{"PpsGe:Sub", "PpsGe", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsEx", "Polps", "Executive coalition", true},
	{"PpsEx:St", "PpsEx", "State level", true},      // name derived, see docs/pax.md
	{"PpsEx:Sub", "PpsEx", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsOro", "Polps", "Proportionality in legislature", true},
	{"PpsOro:St", "PpsOro", "State level", true},      // name derived, see docs/pax.md
	{"PpsOro:Sub", "PpsOro", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsOthPr", "Polps", "Other proportionality", true},
	{"PpsOthPr:St", "PpsOthPr", "State level", true},      // name derived, see docs/pax.md
	{"PpsOthPr:Sub", "PpsOthPr", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsVet", "Polps", "Form of 'veto' or communal majority", true},
	{"PpsVet:St", "PpsVet", "State level", true},      // name derived, see docs/pax.md
	{"PpsVet:Sub", "PpsVet", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsAut", "Polps", "Segmental autonomy", true},
	{"PpsAut:St", "PpsAut", "State level", true},      // name derived, see docs/pax.md
	{"PpsAut:Sub", "PpsAut", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsInt", "Polps", "International involvement", true},
	{"PpsInt:St", "PpsInt", "State level", true},      // name derived, see docs/pax.md
	{"PpsInt:Sub", "PpsInt", "Sub-state level", true}, // name derived, see docs/pax.md
	{"PpsOth", "Polps", "Other", true},
	{"PpsOth:St", "PpsOth", "State level", true},      // name derived, see docs/pax.md
	{"PpsOth:Sub", "PpsOth", "Sub-state level", true}, // name derived, see docs/pax.md
	{"Terps", "Ps", "Territorial power sharing", true},
	{"TpsSub", "Terps", "Federal or similar sub-divided government", true},
	{"TpsLoc", "Terps", "Local/municipal government", true},
	{"TpsAut", "Terps", "Autonomous regions", true},
	{"TpsOth", "Terps", "Other", true},
	{"Eps", "Ps", "Economic power sharing", true},
	{"EpsRes", "Eps", "Sharing of resources", true},
	{"EpsFis", "Eps", "Fiscal federalism", true},
	{"EpsOth", "Eps", "Other", true},
	{"Mps", "Ps", "Military power sharing", true},
	{"MpsMe", "Mps", "Merger of forces", true},
	{"MpsJt", "Mps", "Joint command structures", true},
	{"MpsPro", "Mps", "Proportionality", true},
	{"MpsOth", "Mps", "Other", true},

	// Human rights and equality
	{"Hr", "", "Human rights and equality", false},
	{"HrGen", "Hr", "Human rights/RoL general", true},
	{"HrBor", "Hr", "Bill of rights/similar", true},
	{"HrTrinc", "Hr", "Treaty incorporation", true},
	{"HrCp", "Hr", "Civil and political rights", true},
	{"CprLife", "HrCp", "Life", true},
	{"CprTort", "HrCp", "Torture", true},
	{"CprEq", "HrCp", "Equality", true},
	{"CprSlav", "HrCp", "Slavery", true},
	{"CprLib", "HrCp", "Liberty and security of person", true},
	{"CprDet", "HrCp", "Humane treatment in detention", true},
	{"CprFmov", "HrCp", "Freedom of movement", true},
	{"CprFspe", "HrCp", "Freedom of speech", true},
	{"CprFass", "HrCp", "Freedom of association", true},
	{"CprTria", "HrCp", "Fair trial", true},
	{"CprPriv", "HrCp", "Privacy and family life", true},
	{"CprVote", "HrCp", "Vote and take part", true},
	{"CprReli", "HrCp", "Thought, opinion, conscience and religion", true},
	{"CprOth", "HrCp", "Other", true},
	{"HrSec", "Hr", "Socio-economic rights", true},
	{"SerProp", "HrSec", "Property", true},
	{"SerWork", "HrSec", "Work", true},
	{"SerHeal", "HrSec", "Health", true},
	{"SerEdu", "HrSec", "Education", true},
	{"SerStdl", "HrSec", "Adequate standard of living", true},
	{"SerShel", "HrSec", "Shelter/housing", true},
	{"SerSs", "HrSec", "Social security", true},
	{"SerCult", "HrSec", "Cultural life", true},
	{"SerOth", "HrSec", "Other", true},

	// Rights related issues
	{"HrRel", "", "Rights related issues", false},
	{"HrCit", "HrRel", "Citizenship", true},
	{"CitGen", "HrCit", "Citizen, general", true},
	{"CitRights", "HrCit", "Citizens, specific rights", true},
	{"CitDef", "HrCit", "Citizen delimitation", true},
	{"CitOth", "HrCit", "Citizenship other", true},
	{"HrDem", "HrRel", "Democracy", true},
	{"HrDet", "HrRel", "Detention procedures", true},
	{"Med", "HrRel", "Media and communication", true},
	{"MedGov", "Med", "Governance of media", true},
	{"MedSubs", "Med", "Media roles", true},
	{"MedLog", "Med", "Media logistics", true},
	{"MedOth", "Med", "Other", true},
	{"HrMob", "HrRel", "Mobility/access", true},
	{"Prot", "HrRel", "Protection measures", true},
	{"ProtCiv", "Prot", "Protection of civilians", true},
	{"ProtGrp", "Prot", "Protection of groups", true},
	{"ProtOth", "Prot", "Other", true},
	{"RiOth", "HrRel", "Other", true},

	// Rights institutions
	{"HrInst", "", "Rights institutions", false},
	{"HrNi", "HrInst", "NHRI", true},
	{"HrNiMe", "HrNi", "Mentions of NHRI", true},
	{"HrNiNe", "HrNi", "New or fundamentally revised NHRI", true},
	{"HrNiOth", "HrNi", "Other", true},
	{"HrIi", "HrInst", "Regional or international human rights institutions", true},
	{"HrIiMon", "HrIi", "Monitoring calls", true},
	{"HrIiBod", "HrIi", "Body tasked", true},
	{"HrIiOth", "HrIi", "Other", true},

	// Justice sector reform
	{"Jus", "", "Justice sector reform", false},
	{"JusCr", "Jus", "Criminal justice and emergency law", true},
	{"JusCrSp", "JusCr", "Reform to specific laws", true},
	{"JusCrSys", "JusCr", "Criminal Justice System reform", true},
	{"JusCrPow", "JusCr", "Delimitation of powers in Criminal Justice System", true},
	{"JusEm", "Jus", "State of emergency provisions", true},
	{"JusJu", "Jus", "Judiciary and courts", true},
	{"JusPri", "Jus", "Prisons and detention", true},
	{"JusTra", "Jus", "Traditional Laws", true},

	// Socio-economic reconstruction
	{"Soc", "", "Socio-economic reconstruction", false},
	{"Dev", "Soc", "Development or socio-economic reconstruction", true},
	{"DevSoc", "Dev", "Socio-economic development", true},
	{"DevHum", "Dev", "Humanitarian assistance", true},
	{"DevInfra", "Dev", "Infrastructure and reconstruction", true},
	{"NEC", "Soc", "National economic plan", true},
	{"NatRes", "Soc", "Natural resources", true},
	{"IntFu", "Soc", "International funds", true},
	{"Bus", "Soc", "Business", true},
	{"Tax", "Soc", "Taxation", true},
	{"TaxPo", "Tax", "Power to tax", true},
	{"TaxRef", "Tax", "Reform of taxation", true},
	{"TaxOth", "Tax", "Other", true},
	{"Ban", "Soc", "Banks", true},
	{"CenBan", "Ban", "Central bank", true},
	{"BanPers", "Ban", "Personal or commercial banking", true},
	{"BanInt", "Ban", "International finance", true},
	{"BanXb", "Ban", "Cross-border financial flows", true},

	// Land, property and environment
	{"La", "", "Land, property and environment", false},
	{"LaRef", "La", "Land reform/rights", true},
	{"LaRefMan", "LaRef", "Land reform and management", true},
	{"LaRefRet", "LaRef", "Property return and restitution", true},
	{"LaRefOth", "LaRef", "Other land rights", true},
	{"LaNom", "La", "Pastoralist/nomadism rights", true},
	{"LaCH", "La", "Cultural heritage", true},
	{"LaCHTa", "LaCH", "Tangible", true},
	{"LaCHIt", "LaCH", "Intangible", true},
	{"LaCHPro", "LaCH", "Promotion", true},
	{"LaCHOth", "LaCH", "Other", true},
	{"LaEn", "La", "Environment", true},
	{"Wat", "La", "Water or riparian rights or access", true},

	// Security sector
	{"Ssr", "", "Security sector", false},
	{"SsrGua", "Ssr", "Security Guarantees", true},
	{"Ce", "Ssr", "Ceasefire", true},
	{"CeProv", "Ce", "Ceasefire provision", true},
	{"CeGen", "Ce", "General commitments", true},
	{"SsrPol", "Ssr", "Police", true},
	{"SsrArm", "Ssr", "Armed forces", true},
	{"SsrDdr", "Ssr", "DDR", true},
	{"DdrDemil", "SsrDdr", "Demilitarisation provisions", true},
	{"DdrProg", "SsrDdr", "DDR programmes", true},
	{"SsrInt", "Ssr", "Intelligence services", true},
	{"SsrPsf", "Ssr", "Parastatal/rebel and opposition group forces", true},
	{"SsrFf", "Ssr", "Withdrawal of foreign forces", true},
	{"Cor", "Ssr", "Corruption", true},
	{"SsrCrOcr", "Ssr", "Crime/organised crime", true},
	{"SsrDrugs", "Ssr", "Drugs", true},
	{"Terr", "Ssr", "Terrorism", true},

	// Transitional justice
	{"Tj", "", "Transitional justice", false},
	{"TjGen", "Tj", "Transitional justice general", true},
	{"TjAm", "Tj", "Amnesty/pardon", true},
	{"TjAmPro", "TjAm", "Amnesty/pardon proper", true},
	{"TjSan", "TjAm", "Relief of other sanctions", true},
	{"TjPower", "TjAm", "Power to amnesty", true},
	{"TjAmBan", "TjAm", "Amnesty prohibition", true},
	{"TjCou", "Tj", "Courts", true},
	{"TjJaNc", "TjCou", "National courts", true},
	{"TjJaIc", "TjCou", "International courts", true},
	{"TjMech", "Tj", "Mechanism", true},
	{"TjPrire", "Tj", "Prisoner release", true},
	{"TjVet", "Tj", "Vetting", true},
	{"TjVic", "Tj", "Victims", true},
	{"TjMis", "Tj", "Missing persons", true},
	{"TjRep", "Tj", "Reparations", true},
	{"TjRSym", "TjRep", "Symbolic reparations", true},
	{"TjRMa", "TjRep", "Material reparations", true},
	{"TjNR", "Tj", "Reconciliation", true},

	// Implementation
	{"Im", "", "Implementation", false},
	{"ImUN", "Im", "UN signatory", true},
	{"ImOth", "Im", "Other international signatory", true},
	{"ImRef", "Im", "Referendum for agreement", true},
	{"ImPK", "Im", "International mission/force/similar", true},
	{"ImE", "Im", "Enforcement mechanism", true},
}

// paxNames maps every known code to its name; paxSorted lists the known codes
// in sorted order.
var paxNames, paxSorted = buildPAX()

func buildPAX() (map[string]string, []string) {
	byCode := make(map[string]paxTopic, len(paxTopics))
	for _, t := range paxTopics {
		byCode[t.code] = t
	}
	names := make(map[string]string)
	var codes []string
	for _, t := range paxTopics {
		if !t.variable {
			continue
		}
		path := []string{t.label}
		for p := t.parent; p != ""; p = byCode[p].parent {
			path = append(path, byCode[p].label)
		}
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		names[t.code] = strings.Join(path, " > ")
		codes = append(codes, t.code)
	}
	sort.Strings(codes)
	return names, codes
}

// PAXCategory returns the PA-X codebook name of a category code and whether the code is known. Codes are case-sensitive as in the codebook.
//
// The name is the codebook label preceded by the labels of the topics above it,
// separated by " > ", because many labels ("Other", "Rhetorical", …) repeat
// across topics: PAXCategory("SsrFf") returns "Security sector > Withdrawal of
// foreign forces". The known codes are the agreement-content variables of the
// PA-X dataset, version 10.
func PAXCategory(code string) (name string, ok bool) {
	name, ok = paxNames[code]
	return name, ok
}

// PAXCodes returns every known code, sorted.
//
// The slice is a fresh copy that the caller may modify.
func PAXCodes() []string {
	return append([]string(nil), paxSorted...)
}

// PAXSuggest returns up to n known codes closest to code (case-insensitive edit distance), for "did you mean" messages.
//
// Codes are ordered by Levenshtein distance between the lower-cased strings and
// then by code; a code that is known apart from its case comes first. It returns
// nil when n <= 0.
func PAXSuggest(code string, n int) []string {
	if n <= 0 {
		return nil
	}
	type scored struct {
		code string
		dist int
	}
	want := []rune(strings.ToLower(code))
	all := make([]scored, len(paxSorted))
	for i, c := range paxSorted {
		all[i] = scored{c, levenshtein(want, []rune(strings.ToLower(c)))}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].dist < all[j].dist })
	if n > len(all) {
		n = len(all)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = all[i].code
	}
	return out
}

// levenshtein returns the edit distance (insertions, deletions and
// substitutions of one rune each) between a and b.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
