package mongo

import (
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// appendNumberElement appends the JSON number text as the BSON number that
// reads back as the same number, or fails with backend.ErrInvalidData: a
// session must come back as it was written, never with another value.
//
//   - An integer in the int32 range is an int32, as the Node.js driver
//     writes it.
//   - Another integer is a double when the double reads back as the same
//     integer (2592000000, 2⁵³, 1e21), as the Node.js driver writes it;
//     else an int64 when it fits (9007199254740993,
//     1541815603606036481), which reads back digit for digit.
//   - Any other number is a double when the double reads back as the
//     written number (0.1, 1.5e-7), and is refused when it does not
//     (0.10000000000000000001, 1e-400).
//   - -0 is a negative-zero double, read back as -0.
//   - A number beyond the range of a double (1e400), or an integer beyond
//     the int64 range that no double holds exactly, is refused.
func appendNumberElement(dst []byte, key, text, path string) ([]byte, error) {
	w, ok := parseDecimal(text)
	if ok && w.digits == "" {
		if w.neg {
			return bsoncore.AppendDoubleElement(dst, key, math.Copysign(0, -1)), nil
		}
		return bsoncore.AppendInt32Element(dst, key, 0), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if !ok || err != nil || math.IsInf(f, 0) {
		return nil, invalidf("%s: the number %.40s is beyond the range of a double, the largest number MongoDB stores", pathName(path), text)
	}
	shortest, _ := parseDecimal(strconv.FormatFloat(f, 'e', -1, 64))
	exact := shortest == w // the double reads back as the written number
	if w.exp >= 0 {        // an integer
		switch {
		case exact && f >= math.MinInt32 && f <= math.MaxInt32:
			return bsoncore.AppendInt32Element(dst, key, int32(f)), nil
		case exact:
			return bsoncore.AppendDoubleElement(dst, key, f), nil
		}
		if n, ok := w.int64(); ok {
			return bsoncore.AppendInt64Element(dst, key, n), nil
		}
		return nil, invalidf("%s: the integer %.40s is beyond the 64-bit range and no double holds it exactly", pathName(path), text)
	}
	if exact {
		return bsoncore.AppendDoubleElement(dst, key, f), nil
	}
	return nil, invalidf("%s: the number %.40s has more precision than a double holds (it would read back as %s)", pathName(path), text, appendJSNumber(nil, f))
}

// decimal is the exact value of a number's text: (-1)^neg × digits ×
// 10^exp, digits without leading or trailing zeros ("" for zero, whose exp
// is 0). Two texts denote the same number exactly when their decimals are
// equal.
type decimal struct {
	neg    bool
	digits string
	exp    int
}

// maxExp bounds the exponents parseDecimal reads, far beyond those of
// doubles, so that its arithmetic cannot overflow.
const maxExp = 1 << 40

// parseDecimal reads a number in JSON's syntax (or strconv's 'e' format).
// ok is false for a non-zero number whose exponent is beyond ±maxExp.
func parseDecimal(text string) (d decimal, ok bool) {
	s := text
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	mant, expText := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, expText = s[:i], s[i+1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		return decimal{neg: d.neg}, true
	}
	exp := 0
	if expText != "" {
		var err error
		if exp, err = strconv.Atoi(expText); err != nil || exp > maxExp || exp < -maxExp {
			return d, false
		}
	}
	d.digits = trimmed
	d.exp = exp - len(frac) + (len(digits) - len(trimmed))
	return d, true
}

// int64 returns the value of an integral d if it fits an int64.
func (d decimal) int64() (int64, bool) {
	if d.exp < 0 || len(d.digits)+d.exp > 19 {
		return 0, false
	}
	text := d.digits + strings.Repeat("0", d.exp)
	if d.neg {
		text = "-" + text
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}
