package settlement

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// paxV10Header is the header row of the PA-X dataset, version 10, copied from
// GitHub peacerep/v7_messy_timeline, data/pax_all_agreements_v10.csv, commit
// 152dc2ba61b900ea34961bf1a3cf8f27967bba44 (see docs/pax.md).
const paxV10Header = "Con,Contp,PP,PPName,Reg,AgtId,Ver,Agt,Dat,Status,Lgt,N_characters,Agtp,Stage,StageSub,Part,ThrdPart,OthAgr,Loc1ISO,Loc2ISO,Loc1GWNO,Loc2GWNO,UcdpCon,UcdpAgr,PamAgr,CowWar,Interim,ImSrc,GCh,GChRhet,GChAntid,GChSubs,GChOth,GDis,GDisRhet,GDisAntid,GDisSubs,GDisOth,GAge,GAgeRhet,GAgeAntid,GAgeSubs,GAgeOth,GMig,GMigRhet,GMigAntid,GMigSubs,GMigOth,GRa,GRaRhet,GRaAntid,GRaSubs,GRaOth,GRe,GReRhet,GReAntid,GReSubs,GReOth,GInd,GIndRhet,GIndAntid,GIndSubs,GIndOth,GOth,GOthRhet,GOthAntid,GOthSubs,GOthOth,GRef,GRefRhet,GRefSubs,GRefOth,GSoc,GSocRhet,GSocAntid,GSocSubs,GSocOth,GeWom,GeMe,GeMeNu,GeMeOth,GeLgbti,GeLgbtiPos,GeLgbtiNeg,GeFa,StDef,StGen,StCon,StSd,StRef,StSym,StInd,StUni,StBor,StXbor,Pol,PolGen,PolNewInd,PolNewTemp,Ele,ElecComm,PolPar,PolParTrans,PolParOth,Civso,Tral,Pubad,ConGen,ConRen,Cons,Polps,PpsGe,PpsGe:St,PpsGe:Sub,PpsEx,PpsEx:St,PpsEx:Sub,PpsOro,PpsOro:St,PpsOro:Sub,PpsOthPr,PpsOthPr:St,PpsOthPr:Sub,PpsVet,PpsVet:St,PpsVet:Sub,PpsAut,PpsAut:St,PpsAut:Sub,PpsInt,PpsInt:St,PpsInt:Sub,PpsOth,PpsOth:St,PpsOth:Sub,Terps,TpsSub,TpsLoc,TpsAut,TpsOth,Eps,EpsRes,EpsFis,EpsOth,Mps,MpsMe,MpsJt,MpsPro,MpsOth,HrGen,HrBor,HrTrinc,HrCp,CprLife,CprTort,CprEq,CprSlav,CprLib,CprDet,CprFmov,CprFspe,CprFass,CprTria,CprPriv,CprVote,CprReli,CprOth,HrSec,SerProp,SerWork,SerHeal,SerEdu,SerStdl,SerShel,SerSs,SerCult,SerOth,HrCit,CitGen,CitRights,CitDef,CitOth,HrDem,HrDet,Med,MedGov,MedSubs,MedLog,MedOth,HrMob,Prot,ProtCiv,ProtGrp,ProtOth,RiOth,HrNi,HrNiMe,HrNiNe,HrNiOth,HrIi,HrIiMon,HrIiBod,HrIiOth,JusCr,JusCrSp,JusCrSys,JusCrPow,JusEm,JusJu,JusPri,JusTra,Dev,DevSoc,DevHum,DevInfra,NEC,NatRes,IntFu,Bus,Tax,TaxPo,TaxRef,TaxOth,Ban,CenBan,BanPers,BanInt,BanXb,LaRef,LaRefMan,LaRefRet,LaRefOth,LaNom,LaCH,LaCHTa,LaCHIt,LaCHPro,LaCHOth,LaEn,Wat,SsrGua,Ce,CeProv,CeGen,SsrPol,SsrArm,SsrDdr,DdrDemil,DdrProg,SsrInt,SsrPsf,SsrFf,Cor,SsrCrOcr,SsrDrugs,Terr,TjGen,TjAm,TjAmPro,TjSan,TjPower,TjAmBan,TjCou,TjJaNc,TjJaIc,TjMech,TjPrire,TjVet,TjVic,TjMis,TjRep,TjRSym,TjRMa,TjNR,ImUN,ImOth,ImRef,ImPK,ImE"

// paxV10Content returns the agreement-content columns of paxV10Header: every
// column after the metadata, which ends with Interim and ImSrc.
func paxV10Content(t *testing.T) []string {
	t.Helper()
	cols := strings.Split(paxV10Header, ",")
	i := slices.Index(cols, "ImSrc")
	if i < 0 || cols[i-1] != "Interim" {
		t.Fatalf("header layout changed: ImSrc at %d", i)
	}
	return cols[i+1:]
}

func TestPAXCategoryKnown(t *testing.T) {
	tests := []struct {
		code, name string
	}{
		{"SsrGua", "Security sector > Security Guarantees"},
		{"Ce", "Security sector > Ceasefire"},
		{"SsrFf", "Security sector > Withdrawal of foreign forces"},
		{"SsrDdr", "Security sector > DDR"},
		{"DdrProg", "Security sector > DDR > DDR programmes"},
		{"CeProv", "Security sector > Ceasefire > Ceasefire provision"},
		{"Terr", "Security sector > Terrorism"},
		{"GCh", "Groups > Children/youth"},
		{"GChRhet", "Groups > Children/youth > Rhetorical"},
		{"GeWom", "Gender > Women, girls and gender"},
		{"StDef", "State definition"},
		{"StBor", "State definition > Border delimitation"},
		{"Pol", "Governance > Political institutions (new or reformed)"},
		{"ConGen", "Governance > Constitution"},
		{"PpsVet", "Power sharing > Political power sharing > Form of 'veto' or communal majority"},
		{"PpsEx:St", "Power sharing > Political power sharing > Executive coalition > State level"},
		{"PpsOth:Sub", "Power sharing > Political power sharing > Other > Sub-state level"},
		{"HrGen", "Human rights and equality > Human rights/RoL general"},
		{"HrTrinc", "Human rights and equality > Treaty incorporation"},
		{"CprReli", "Human rights and equality > Civil and political rights > Thought, opinion, conscience and religion"},
		{"RiOth", "Rights related issues > Other"},
		{"HrNi", "Rights institutions > NHRI"},
		{"JusTra", "Justice sector reform > Traditional Laws"},
		{"NEC", "Socio-economic reconstruction > National economic plan"},
		{"LaCH", "Land, property and environment > Cultural heritage"},
		{"Wat", "Land, property and environment > Water or riparian rights or access"},
		{"TjNR", "Transitional justice > Reconciliation"},
		{"ImPK", "Implementation > International mission/force/similar"},
		{"ImE", "Implementation > Enforcement mechanism"},
	}
	for _, tt := range tests {
		name, ok := PAXCategory(tt.code)
		if !ok || name != tt.name {
			t.Errorf("PAXCategory(%q) = %q, %v; want %q, true", tt.code, name, ok, tt.name)
		}
	}
}

func TestPAXCategoryRequired(t *testing.T) {
	for _, code := range []string{"SsrGua", "Ce", "SsrFf"} {
		if _, ok := PAXCategory(code); !ok {
			t.Errorf("PAXCategory(%q): not known", code)
		}
	}
}

func TestPAXCategoryUnknown(t *testing.T) {
	tests := []struct {
		code, why string
	}{
		{"", "empty"},
		{"ssrgua", "codes are case-sensitive"},
		{"SSRGUA", "codes are case-sensitive"},
		{"ce", "codes are case-sensitive"},
		{" Ce", "no trimming"},
		{"Ce ", "no trimming"},
		{"SsrGuard", "misspelt"},
		{"Ssr", "top-level category, not a dataset variable"},
		{"Gr", "top-level category, not a dataset variable"},
		{"Im", "top-level category, not a dataset variable"},
		{"Con", "agreement metadata"},
		{"Interim", "agreement metadata"},
		{"ImSrc", "agreement metadata (document source)"},
		{"EqGen", "dropped before version 10"},
		{"HrFra", "dropped before version 10"},
		{"PpsSt", "dropped before version 10"},
		{"WggPar", "PA-X Gender dataset, not the main dataset"},
		{"PpsEx:", "incomplete"},
	}
	for _, tt := range tests {
		if name, ok := PAXCategory(tt.code); ok {
			t.Errorf("PAXCategory(%q) = %q, true; want unknown (%s)", tt.code, name, tt.why)
		}
	}
}

func TestPAXCodesMatchDatasetHeader(t *testing.T) {
	want := paxV10Content(t)
	if len(want) != 251 {
		t.Fatalf("header has %d content columns, want 251", len(want))
	}
	got := PAXCodes()
	if !sort.StringsAreSorted(got) {
		t.Errorf("PAXCodes() is not sorted")
	}
	sorted := slices.Clone(want)
	sort.Strings(sorted)
	if !slices.Equal(got, sorted) {
		t.Errorf("PAXCodes() differs from the dataset header:\n got %v\nwant %v", got, sorted)
	}
	for _, code := range want {
		if _, ok := PAXCategory(code); !ok {
			t.Errorf("dataset column %q is not known", code)
		}
	}
}

func TestPAXCodesIsACopy(t *testing.T) {
	a := PAXCodes()
	a[0] = "changed"
	if b := PAXCodes(); b[0] == "changed" {
		t.Errorf("PAXCodes shares its slice with the caller")
	}
}

func TestPAXNamesUniqueAndClean(t *testing.T) {
	seen := make(map[string]string)
	for _, code := range PAXCodes() {
		name, _ := PAXCategory(code)
		if name == "" || strings.TrimSpace(name) != name {
			t.Errorf("PAXCategory(%q) = %q: empty or untrimmed", code, name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%q and %q share the name %q", other, code, name)
		}
		seen[name] = code
	}
}

// TestPAXTopicCatalogue checks the transcription against the counts that the
// source catalogue states for itself: 248 topics, 14 categories, 197 leaves.
func TestPAXTopicCatalogue(t *testing.T) {
	codes := make(map[string]bool)
	parents := make(map[string]bool)
	topics, categories := 0, 0
	for _, tp := range paxTopics {
		if codes[tp.code] {
			t.Errorf("duplicate code %q", tp.code)
		}
		codes[tp.code] = true
		if strings.Contains(tp.code, ":") {
			continue // dataset columns without a catalogue entry
		}
		topics++
		if tp.parent == "" {
			categories++
		} else {
			parents[tp.parent] = true
		}
	}
	leaves := 0
	for _, tp := range paxTopics {
		if tp.parent != "" && !codes[tp.parent] {
			t.Errorf("%q: unknown parent %q", tp.code, tp.parent)
		}
		if !strings.Contains(tp.code, ":") && !parents[tp.code] {
			leaves++
		}
	}
	if topics != 248 || categories != 14 || leaves != 197 {
		t.Errorf("catalogue has %d topics, %d categories, %d leaves; want 248, 14, 197", topics, categories, leaves)
	}
}

func TestPAXSuggest(t *testing.T) {
	tests := []struct {
		code string
		n    int
		want []string
	}{
		{"ssrgua", 1, []string{"SsrGua"}},
		{"SSRGUA", 1, []string{"SsrGua"}},
		{"SsrGuard", 1, []string{"SsrGua"}},
		{"SsrGua", 1, []string{"SsrGua"}},
		{"CE", 1, []string{"Ce"}},
		{"ssrff", 2, []string{"SsrFf", "SsrPsf"}},
		{"SsrF", 1, []string{"SsrFf"}},
		{"ssrddr", 1, []string{"SsrDdr"}},
		{"GeWomen", 1, []string{"GeWom"}},
		{"HrGeneral", 1, []string{"HrGen"}},
		{"Terror", 1, []string{"Terr"}},
		{"PpsEx:st", 2, []string{"PpsEx:St", "PpsEx:Sub"}},
		{"Cease", 2, []string{"Ce", "CeGen"}},
		{"SsrGua", 0, nil},
		{"SsrGua", -1, nil},
	}
	for _, tt := range tests {
		if got := PAXSuggest(tt.code, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("PAXSuggest(%q, %d) = %v, want %v", tt.code, tt.n, got, tt.want)
		}
	}
}

func TestPAXSuggestBounds(t *testing.T) {
	all := PAXCodes()
	for _, tt := range []struct {
		code string
		n    int
	}{
		{"", 5},
		{"zzzzzzzzzzzz", 3},
		{"Ce", len(all)},
		{"Ce", len(all) + 10},
	} {
		got := PAXSuggest(tt.code, tt.n)
		if want := min(tt.n, len(all)); len(got) != want {
			t.Errorf("PAXSuggest(%q, %d) returned %d codes, want %d", tt.code, tt.n, len(got), want)
		}
		last := -1
		for _, c := range got {
			if _, ok := PAXCategory(c); !ok {
				t.Errorf("PAXSuggest(%q, %d) returned unknown code %q", tt.code, tt.n, c)
			}
			d := levenshtein([]rune(strings.ToLower(tt.code)), []rune(strings.ToLower(c)))
			if d < last {
				t.Errorf("PAXSuggest(%q, %d) not ordered by distance at %q", tt.code, tt.n, c)
			}
			last = d
		}
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"ssrgua", "ssrgua", 0},
		{"ssrguard", "ssrgua", 2},
		{"kitten", "sitting", 3},
		{"ce", "cor", 2},
		{"é", "e", 1},
	}
	for _, tt := range tests {
		if got := levenshtein([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
