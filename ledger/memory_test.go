package ledger_test

import (
	"testing"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/ledger/ledgertest"
)

func TestMemoryConformance(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Storage { return &ledger.Memory{} })
}
