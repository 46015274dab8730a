package render

import (
	"math/big"
	"testing"
)

func TestDigits(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {-1000, "-1,000"},
		{123456, "123,456"}, {1234567, "1,234,567"}, {-12, "-12"},
	} {
		if got := Digits(big.NewInt(c.n)); got != c.want {
			t.Errorf("Digits(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
